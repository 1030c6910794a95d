import { TemplateError } from '../../../../local/iot/templates';

/** Runs `attempt`, which must throw a TemplateError, and returns that error for assertions. */
export function templateError(attempt: () => unknown): TemplateError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError, but nothing was thrown');
}

/** A template body from a template object. */
export function body(template: Record<string, unknown>): string {
  return JSON.stringify(template);
}

/** A body with one thing whose properties are `thing` (ThingName defaults to "device"), plus extra sections. */
export function thingTemplate(thing: Record<string, unknown>, sections: Record<string, unknown> = {}): string {
  return body({
    ...sections,
    Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device', ...thing } } },
  });
}

/** A body whose DeviceConfiguration is `configuration`, plus extra sections (and no resources). */
export function configurationTemplate(configuration: Record<string, unknown>, sections: Record<string, unknown> = {}): string {
  return body({ ...sections, Resources: {}, DeviceConfiguration: configuration });
}
