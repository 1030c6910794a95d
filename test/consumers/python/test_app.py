"""The Python consumer: our wheel, aws-cdk-lib and constructs from PyPI, nothing else.

Asserts on the template the Python app synthesizes: the activator, the topic rule, the queue and
its dead-letter queue, the IAM-authorized API route, and the handler code shipped in the wheel.
"""
import json
import os
import tempfile

import pytest
from aws_cdk import assertions

from app import build_app


@pytest.fixture(scope="module")
def synthesized():
    outdir = tempfile.mkdtemp(prefix="py-consumer-")
    app = build_app(outdir)
    assembly = app.synth()
    stack = assembly.get_stack_by_name("PyJitr")
    return outdir, stack, assertions.Template.from_json(stack.template)


def test_the_topic_rule_buffers_registration_events_into_the_queue(synthesized):
    _, _, template = synthesized
    template.has_resource_properties("AWS::IoT::TopicRule", {
        "TopicRulePayload": assertions.Match.object_like({
            "Sql": "SELECT * FROM '$aws/events/certificates/registered/+'",
            "Actions": [assertions.Match.object_like({"Sqs": assertions.Match.any_value()})],
            "ErrorAction": assertions.Match.object_like({"Sqs": assertions.Match.any_value()}),
        }),
    })


def test_the_queue_redrives_to_its_dead_letter_queue(synthesized):
    _, _, template = synthesized
    template.resource_count_is("AWS::SQS::Queue", 2)
    template.has_resource_properties("AWS::SQS::Queue", {
        "RedrivePolicy": {"deadLetterTargetArn": assertions.Match.any_value(), "maxReceiveCount": 5},
    })


def test_the_activator_consumes_the_queue_with_partial_batch_failures(synthesized):
    _, _, template = synthesized
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 2},
    })
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Activates just-in-time registered device certificates"),
        "Runtime": assertions.Match.string_like_regexp("^nodejs2[2-9]"),
        "Environment": {"Variables": assertions.Match.object_like({"VERIFIER_ARNS": assertions.Match.any_value()})},
    })


def test_the_ca_register_route_is_iam_authorized(synthesized):
    _, _, template = synthesized
    template.has_resource_properties("AWS::ApiGateway::Resource", {"PathPart": "caRegister"})
    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "POST", "AuthorizationType": "AWS_IAM"})


def test_the_handlers_come_bundled_in_the_wheel(synthesized):
    outdir, stack, _ = synthesized
    # Each of our functions' code is an asset holding the prebuilt index.js: no esbuild or Docker on this side.
    with open(os.path.join(outdir, "PyJitr.assets.json"), encoding="utf8") as manifest_file:
        manifest = json.load(manifest_file)
    source_by_key = {
        destination["objectKey"]: asset["source"]["path"]
        for asset in manifest["files"].values()
        for destination in asset["destinations"].values()
    }
    functions = [r for r in stack.template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    bundled = [r for r in functions if "S3Key" in r["Properties"]["Code"]]
    assert len(bundled) == 2  # the CA registrator and the device activator (the verifier is inline)
    for function in bundled:
        handler = os.path.join(outdir, source_by_key[function["Properties"]["Code"]["S3Key"]], "index.js")
        assert os.path.getsize(handler) > 10_000, handler


def test_the_outputs_name_the_api_and_the_policy(synthesized):
    _, stack, _ = synthesized
    outputs = stack.template["Outputs"]
    assert "CaRegisterUrl" in outputs and "DevicePolicyName" in outputs
    assert "/caRegister" in json.dumps(outputs["CaRegisterUrl"])
