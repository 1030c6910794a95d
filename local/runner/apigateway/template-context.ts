/**
 * The `$context` variables a gateway response template or mapping can name. API Gateway templates are VTL;
 * only plain `$context.a.b` references (also `$!context...` and `${context...}`) are substituted here.
 */
export type TemplateContext = Readonly<Record<string, string | undefined>>;

const CONTEXT_REFERENCE = /\$(!?)(\{?)context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(\}?)/g;

/** Substitutes known references; an unknown one stays as written (VTL's behaviour) unless quiet (`$!`), which renders empty. */
export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(CONTEXT_REFERENCE, (whole, quiet: string, open: string, name: string, close: string) => {
    if (open && !close) return whole;
    const value = context[name];
    const trailing = !open && close ? close : '';
    if (value === undefined) return quiet ? trailing : whole;
    return value + trailing;
  });
}
