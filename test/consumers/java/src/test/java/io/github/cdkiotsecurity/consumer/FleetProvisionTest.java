package io.github.cdkiotsecurity.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkiotsecurity.FleetProvision;
import io.github.cdkiotsecurity.FleetProvisionProps;
import io.github.cdkiotsecurity.GreengrassOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** A Java CDK app with a FleetProvision for Greengrass V2 core devices. */
class FleetProvisionTest {

  @Test
  void greengrassCoreDevicesGetATokenExchangeRoleTrustedByTheCredentialsProviderAndItsRoleAlias() {
    App app = new App();
    // An explicit environment: without one, FleetProvision with greengrass fails to synthesize today
    // (KeyMustResolveToString: a cdk-nag acknowledgement keyed by the unresolved Region and account).
    // Drop the env once that is fixed, so this test covers environment-agnostic stacks too.
    Stack stack = new Stack(app, "JavaFleet", StackProps.builder()
        .env(Environment.builder().account("111111111111").region("eu-west-1").build())
        .build());
    FleetProvision fleet = new FleetProvision(stack, "Fleet", FleetProvisionProps.builder()
        .greengrass(GreengrassOptions.builder().build())
        .build());
    Template template = Template.fromStack(stack);

    template.resourceCountIs("AWS::IoT::ProvisioningTemplate", 1);
    template.hasResourceProperties("AWS::IoT::ProvisioningTemplate", Map.of("TemplateType", "FLEET_PROVISIONING"));

    // The token exchange role: only the AWS IoT credentials provider may assume it.
    Map<String, Map<String, Object>> roles = template.findResources("AWS::IAM::Role", Map.of(
        "Properties", Map.of("AssumeRolePolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
            "Action", "sts:AssumeRole",
            "Principal", Map.of("Service", "credentials.iot.amazonaws.com"))))))));
    assertEquals(1, roles.size(), "one role trusted by credentials.iot.amazonaws.com");
    String roleId = roles.keySet().iterator().next();

    // Its role alias, and the device policy lets a core device use that alias (and no other).
    Map<String, Map<String, Object>> aliases = template.findResources("AWS::IoT::RoleAlias", Map.of(
        "Properties", Map.of("RoleArn", Map.of("Fn::GetAtt", List.of(roleId, "Arn")))));
    assertEquals(1, aliases.size(), "one role alias for the token exchange role");
    String aliasId = aliases.keySet().iterator().next();
    template.hasResourceProperties("AWS::IoT::Policy", Map.of(
        "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
            "Action", "iot:AssumeRoleWithCertificate",
            "Effect", "Allow",
            "Resource", Map.of("Fn::GetAtt", List.of(aliasId, "RoleAliasArn"))))))))));

    assertTrue(fleet.getTokenExchangeRole() != null && fleet.getRoleAlias() != null, "exposed for further wiring");
  }
}
