package io.github.cdkiotsecurity.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.cdkiotsecurity.RegistrationGateway;
import io.github.cdkiotsecurity.RegistrationGatewayProps;
import io.github.cdkiotsecurity.RegistrationThingType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** A Java CDK app with a RegistrationGateway that leaves the account's registry events alone. */
class RegistrationGatewayTest {

  @Test
  void withoutTheArchiveThereIsNoTopicRuleAndRegistryEventsAreNotTurnedOn() {
    App app = new App();
    Stack stack = new Stack(app, "JavaGateway");
    RegistrationGateway gateway = new RegistrationGateway(stack, "Gateway", RegistrationGatewayProps.builder()
        .thingTypes(Map.of("sensor", RegistrationThingType.builder().attributes(List.of("model")).build()))
        .archiveRegistryEvents(false)
        .build());
    Template template = Template.fromStack(stack);

    // No archive: no topic rule, no bucket for it, and the account-wide THING events setting untouched.
    template.resourceCountIs("AWS::IoT::TopicRule", 0);
    template.resourceCountIs("Custom::IotRegistryEvents", 0);
    assertNull(gateway.getRegistryEventsBucket(), "no registry-event bucket");
    template.resourceCountIs("AWS::S3::Bucket", 1); // the one-time token ledger only

    // The gateway itself: POST /register behind the token authorizer, its secret, its thing type.
    template.hasResourceProperties("AWS::ApiGateway::Authorizer", Map.of(
        "Type", "TOKEN",
        "IdentitySource", "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds", 0));
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of("HttpMethod", "POST", "AuthorizationType", "CUSTOM"));
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    template.resourceCountIs("AWS::IoT::ThingType", 1);
    assertEquals(List.of("sensor"), List.copyOf(gateway.getThingTypeNames().keySet()));
  }
}
