package io.github.cdkiotsecurity.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cdkiotsecurity.JustInTimeRegistration;
import io.github.cdkiotsecurity.JustInTimeRegistrationProps;
import io.github.cdkiotsecurity.KeyAlgorithm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;

/** A Java CDK app using cdk-iot-security from its jar, and assertions on what it synthesizes. */
class JustInTimeRegistrationTest {
  private static Template template;

  @BeforeAll
  static void synthesize() {
    App app = new App();
    Stack stack = new Stack(app, "JavaJitr");
    Function verifier = Function.Builder.create(stack, "AllowListVerifier")
        .code(Code.fromInline("exports.handler = async () => ({ verified: true });"))
        .handler("index.handler")
        .runtime(Runtime.NODEJS_22_X)
        .build();
    JustInTimeRegistration jitr = new JustInTimeRegistration(stack, "Jitr", JustInTimeRegistrationProps.builder()
        .verifiers(Map.of("allowList", verifier))
        .defaultCaKeyAlgorithm(KeyAlgorithm.ECDSA_P256)
        .build());
    CfnOutput.Builder.create(stack, "CaRegisterUrl").value(jitr.getApi().urlForPath("/caRegister")).build();
    template = Template.fromStack(stack);
  }

  @Test
  void theTopicRuleBuffersRegistrationEventsIntoTheQueue() {
    template.hasResourceProperties("AWS::IoT::TopicRule", Map.of(
        "TopicRulePayload", Match.objectLike(Map.of(
            "Sql", "SELECT * FROM '$aws/events/certificates/registered/+'",
            "ErrorAction", Match.objectLike(Map.of("Sqs", Match.anyValue()))))));
  }

  @Test
  void theQueueRedrivesToItsDeadLetterQueue() {
    template.resourceCountIs("AWS::SQS::Queue", 2);
    template.hasResourceProperties("AWS::SQS::Queue", Map.of(
        "RedrivePolicy", Map.of("deadLetterTargetArn", Match.anyValue(), "maxReceiveCount", 5)));
  }

  @Test
  void theActivatorConsumesTheQueueWithPartialBatchFailures() {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
        "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
        "ScalingConfig", Map.of("MaximumConcurrency", 2)));
  }

  @Test
  void theCaRegisterRouteIsIamAuthorized() {
    template.hasResourceProperties("AWS::ApiGateway::Resource", Map.of("PathPart", "caRegister"));
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of("HttpMethod", "POST", "AuthorizationType", "AWS_IAM"));
  }

  @Test
  void ourTwoFunctionsShipTheirBundledCode() {
    Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function");
    long bundled = functions.entrySet().stream()
        // aws-cdk-lib's own function that empties the vault's buckets when the stack is deleted (removalPolicy DESTROY).
        .filter(entry -> !entry.getKey().startsWith("CustomS3AutoDeleteObjects"))
        .map(entry -> (Map<?, ?>) ((Map<?, ?>) entry.getValue().get("Properties")).get("Code"))
        .filter(code -> code.containsKey("S3Key"))
        .count();
    assertEquals(2, bundled, "the CA registrator and the device activator use bundled assets; the verifier is inline");
  }
}
