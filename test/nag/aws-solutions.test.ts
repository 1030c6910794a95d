import { AwsSolutionsChecks } from 'cdk-nag';
import { jitrStack } from '../support/jitr-stack';

/**
 * cdk-nag's AwsSolutions pack over every construct: no finding may remain
 * that is not acknowledged, with its reason, in the construct itself.
 */
describe('cdk-nag AwsSolutions', () => {
  test('JustInTimeRegistration has no unacknowledged finding', () => {
    // The construct's subtree only: the verifier Lambda in the test stack is the user's.
    const { app, jitr } = jitrStack();
    // Synthesis runs construct validations, where acknowledgements of findings are recorded.
    app.synth();
    const report = new AwsSolutionsChecks(app).validateScope(jitr);
    const findings = report.violations.map((violation) =>
      `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });
});
