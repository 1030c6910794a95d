package io.github.cdkiotsecurity.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cdkiotsecurity.JitpTemplateDelivery;
import io.github.cdkiotsecurity.JustInTimeProvision;
import io.github.cdkiotsecurity.JustInTimeProvisionProps;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** A Java CDK app with a JustInTimeProvision whose CAs carry the template body themselves. */
class JustInTimeProvisionTest {

  @Test
  void caTemplateBodyDeliveryHasNoProvisioningTemplateAndAnIamAuthorizedDeviceCertificateApi() {
    App app = new App();
    Stack stack = new Stack(app, "JavaJitp");
    new JustInTimeProvision(stack, "Jitp", JustInTimeProvisionProps.builder()
        .templateDelivery(JitpTemplateDelivery.CA_TEMPLATE_BODY)
        .build());
    Template template = Template.fromStack(stack);

    // The CAs carry the body and the role (RegisterCACertificate's registrationConfig): no template resource.
    template.resourceCountIs("AWS::IoT::ProvisioningTemplate", 0);

    Map<String, Map<String, Object>> resources = template.findResources("AWS::ApiGateway::Resource",
        Map.of("Properties", Map.of("PathPart", "deviceCertificateGenerate")));
    assertEquals(1, resources.size(), "one /deviceCertificateGenerate resource");
    String resourceId = resources.keySet().iterator().next();
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
        "HttpMethod", "POST",
        "AuthorizationType", "AWS_IAM",
        "ResourceId", Map.of("Ref", resourceId),
        "RequestValidatorId", Match.anyValue()));
  }
}
