"""The Python consumer: our wheel, aws-cdk-lib and constructs from PyPI, nothing else.

Asserts on the templates the Python app synthesizes.
PyJitr: the activator, the topic rule, the queue and its dead-letter queue, the IAM-authorized
API route, and the handler code shipped in the wheel.
PyJitp: the JITP provisioning template and what it reads from certificates, the provisioning
role, the IAM-authorized POST /deviceCertificateGenerate, and the generator's bundled code.
PyFleet: the FLEET_PROVISIONING template and its pre-provisioning hook, two claim certificates
issued at deploy time, the claim policy's exact topics (topic/ for Publish and Receive,
topicfilter/ for Subscribe), who may invoke the hook, the factory's and the app's grants, and
construct errors reaching Python.
PyCsrApi: POST /provision/device with AWS_IAM, its request model and validator, the factory-line
role granted by grant_provision (and no IAM user anywhere), the provisioner's bundled code.
PyGateway: POST /register behind a TOKEN authorizer on the Authorization header with no result
caching, the token hashes in a Secrets Manager secret only the authorizer reads, a thing type and a
policy per kind of device, the registry-event topic rule writing to S3, the bundled handlers, and
bad props refused in Python.
"""
import json
import os
import re
import tempfile

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from cdk_iot_security import CsrProvisioningApi, FleetProvision, JustInTimeProvision, RegistrationGateway, RegistrationThingType

from app import build_app


@pytest.fixture(scope="module")
def assembly():
    outdir = tempfile.mkdtemp(prefix="py-consumer-")
    return outdir, build_app(outdir).synth()


@pytest.fixture(scope="module")
def synthesized(assembly):
    outdir, cloud_assembly = assembly
    stack = cloud_assembly.get_stack_by_name("PyJitr")
    return outdir, stack, assertions.Template.from_json(stack.template)


@pytest.fixture(scope="module")
def jitp(assembly):
    outdir, cloud_assembly = assembly
    stack = cloud_assembly.get_stack_by_name("PyJitp")
    return outdir, stack, assertions.Template.from_json(stack.template)


@pytest.fixture(scope="module")
def fleet(assembly):
    outdir, cloud_assembly = assembly
    stack = cloud_assembly.get_stack_by_name("PyFleet")
    return outdir, stack, assertions.Template.from_json(stack.template)


@pytest.fixture(scope="module")
def csr_api(assembly):
    outdir, cloud_assembly = assembly
    stack = cloud_assembly.get_stack_by_name("PyCsrApi")
    return outdir, stack, assertions.Template.from_json(stack.template)


@pytest.fixture(scope="module")
def gateway(assembly):
    outdir, cloud_assembly = assembly
    stack = cloud_assembly.get_stack_by_name("PyGateway")
    return outdir, stack, assertions.Template.from_json(stack.template)


def bundled_handlers(outdir, stack):
    """Each function whose code is an asset (not inline), with the path of the index.js it ships."""
    with open(os.path.join(outdir, f"{stack.stack_name}.assets.json"), encoding="utf8") as manifest_file:
        manifest = json.load(manifest_file)
    source_by_key = {
        destination["objectKey"]: asset["source"]["path"]
        for asset in manifest["files"].values()
        for destination in asset["destinations"].values()
    }
    return {
        function["Properties"].get("Description", ""): os.path.join(outdir, source_by_key[function["Properties"]["Code"]["S3Key"]], "index.js")
        for logical_id, function in stack.template["Resources"].items()
        if function["Type"] == "AWS::Lambda::Function" and "S3Key" in function["Properties"]["Code"]
        # aws-cdk-lib's own function that empties the buckets when the stack is deleted (removalPolicy DESTROY)
        and not logical_id.startswith("CustomS3AutoDeleteObjects")
    }


# --- PyJitr ---------------------------------------------------------------------------------

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
    handlers = bundled_handlers(outdir, stack)
    assert len(handlers) == 2  # the CA registrator and the device activator (the verifier is inline)
    for handler in handlers.values():
        assert os.path.getsize(handler) > 10_000, handler


def test_the_outputs_name_the_api_and_the_policy(synthesized):
    _, stack, _ = synthesized
    outputs = stack.template["Outputs"]
    assert "CaRegisterUrl" in outputs and "DevicePolicyName" in outputs
    assert "/caRegister" in json.dumps(outputs["CaRegisterUrl"])


# --- PyJitp ---------------------------------------------------------------------------------

def only_resource(template, resource_type, props=None):
    found = template.find_resources(resource_type, props or {})
    assert len(found) == 1, f"{len(found)} {resource_type} resources"
    return next(iter(found.items()))


def deployed_body(template_body):
    """The JITP template as AWS IoT receives it: the Fn::Join's parts, the policy name's Ref filled in."""
    separator, parts = template_body["Fn::Join"]
    assert separator == ""
    return json.loads("".join(part if isinstance(part, str) else "the-device-policy" for part in parts))


def test_a_jitp_provisioning_template_reads_the_cn_the_organization_and_the_country(jitp):
    _, _, template = jitp
    template.has_resource_properties("AWS::IoT::ProvisioningTemplate", {
        "TemplateType": "JITP",
        "Enabled": True,
        "TemplateBody": {"Fn::Join": ["", assertions.Match.array_with([
            assertions.Match.string_like_regexp("AWS::IoT::Certificate::Country"),
        ])]},
    })
    _, provisioning = only_resource(template, "AWS::IoT::ProvisioningTemplate")
    body = deployed_body(provisioning["Properties"]["TemplateBody"])
    assert list(body["Parameters"]) == [
        "AWS::IoT::Certificate::CommonName",
        "AWS::IoT::Certificate::Organization",
        "AWS::IoT::Certificate::Country",
        "AWS::IoT::Certificate::Id",
    ]
    assert body["Resources"]["thing"]["Properties"] == {
        "ThingName": {"Ref": "AWS::IoT::Certificate::CommonName"},
        "AttributePayload": {
            "organization": {"Ref": "AWS::IoT::Certificate::Organization"},
            "country": {"Ref": "AWS::IoT::Certificate::Country"},
        },
    }
    assert body["Resources"]["certificate"]["Properties"] == {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"}
    assert body["Resources"]["policy"]["Properties"] == {"PolicyName": "the-device-policy"}


def test_the_provisioning_role_is_trusted_by_iot_and_holds_no_managed_policy(jitp):
    _, _, template = jitp
    _, provisioning = only_resource(template, "AWS::IoT::ProvisioningTemplate")
    role_id, _ = provisioning["Properties"]["ProvisioningRoleArn"]["Fn::GetAtt"]
    role = template.to_json()["Resources"][role_id]
    assert role["Type"] == "AWS::IAM::Role"
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}},
    ]
    # The default template's needs are known: narrow statements, not AWSIoTThingsRegistration.
    assert "ManagedPolicyArns" not in role["Properties"]


def test_device_certificate_generate_is_a_post_with_aws_iam(jitp):
    _, _, template = jitp
    resource_id, _ = only_resource(template, "AWS::ApiGateway::Resource", {"Properties": {"PathPart": "deviceCertificateGenerate"}})
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST",
        "AuthorizationType": "AWS_IAM",
        "ResourceId": {"Ref": resource_id},
        "RequestValidatorId": assertions.Match.any_value(),
    })
    # grant_device_certificate_generate gave the factory role execute-api:Invoke on that method.
    _, factory_policy = only_resource(template, "AWS::IAM::Policy", {
        "Properties": {"Roles": [{"Ref": assertions.Match.string_like_regexp("^Factory")}]},
    })
    statements = factory_policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {action for statement in statements for action in
               (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])}
    assert actions == {"execute-api:Invoke"}
    assert "/POST/deviceCertificateGenerate" in json.dumps(statements)
    assert "/POST/caRegister" in json.dumps(statements)


def test_the_generator_ships_its_bundled_code_and_knows_the_verifier(jitp):
    outdir, stack, template = jitp
    handlers = bundled_handlers(outdir, stack)
    assert len(handlers) == 2  # the CA registrator and the device certificate generator (the verifier is inline)
    generator = [path for description, path in handlers.items() if description.startswith("Issues device certificates")]
    assert len(generator) == 1, list(handlers)
    assert os.path.getsize(generator[0]) > 10_000, generator[0]
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Issues device certificates"),
        "Environment": {"Variables": assertions.Match.object_like({
            "VERIFIER_ARNS": assertions.Match.any_value(),
            "DEFAULT_DEVICE_VALIDITY_DAYS": "365",
        })},
    })


def test_a_template_of_your_own_names_the_shared_policy_and_gets_the_managed_role_policy():
    app = cdk.App()
    stack = cdk.Stack(app, "PyJitpOwnTemplate")
    own_template = {
        "Parameters": {"AWS::IoT::Certificate::SerialNumber": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
        "Resources": {
            "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "AWS::IoT::Certificate::SerialNumber"}}},
            "certificate": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"}},
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": JustInTimeProvision.DEVICE_POLICY_NAME}},
        },
    }
    JustInTimeProvision(stack, "Jitp", template_body=json.dumps(own_template))
    template = assertions.Template.from_stack(stack)
    _, provisioning = only_resource(template, "AWS::IoT::ProvisioningTemplate")
    assert deployed_body(provisioning["Properties"]["TemplateBody"])["Resources"]["policy"]["Properties"] == {"PolicyName": "the-device-policy"}
    _, role = only_resource(template, "AWS::IAM::Role", {
        "Properties": {"AssumeRolePolicyDocument": {"Statement": [assertions.Match.object_like({"Principal": {"Service": "iot.amazonaws.com"}})]}},
    })
    # A template of your own may do anything a template can: AWS's managed policy for provisioning roles.
    assert "service-role/AWSIoTThingsRegistration" in json.dumps(role["Properties"]["ManagedPolicyArns"])


def test_a_bad_template_body_fails_synth_with_the_prop_named():
    stack = cdk.Stack(cdk.App(), "PyJitpBadTemplate")
    with pytest.raises(Exception, match="templateBody is not valid JSON"):
        JustInTimeProvision(stack, "Jitp", template_body="{not json")


# --- PyFleet --------------------------------------------------------------------------------

ARN_PREFIX = "arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:"


def arn_text(value):
    """An ARN as one string: Fn::Join's parts joined, a Ref written <id>, a GetAtt <id.Attribute>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(arn_text(part) for part in parts)
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    raise AssertionError(f"not an ARN expression: {value}")


def as_list(value):
    return value if isinstance(value, list) else [value]


def fleet_ids(template):
    """Logical ids of the provisioning template, the hook function and the claim policy."""
    template_id, _ = only_resource(template, "AWS::IoT::ProvisioningTemplate")
    hook_id, _ = only_resource(template, "AWS::Lambda::Function", {
        "Properties": {"Description": assertions.Match.string_like_regexp("^Pre-provisioning hook")},
    })
    claims = template.find_resources("Custom::IotClaimCertificate")
    policy_ids = {claim["Properties"]["ClaimPolicyName"]["Ref"] for claim in claims.values()}
    assert len(policy_ids) == 1, policy_ids
    return template_id, hook_id, policy_ids.pop()


def vault_bucket_id(template):
    bucket_id, _ = only_resource(template, "AWS::S3::Bucket", {
        "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
            assertions.Match.object_like({"ServerSideEncryptionByDefault": assertions.Match.object_like({"SSEAlgorithm": "aws:kms"})}),
        ]}},
    })
    return bucket_id


def test_a_fleet_provisioning_template_with_its_pre_provisioning_hook(fleet):
    _, _, template = fleet
    template_id, hook_id, _ = fleet_ids(template)
    template.has_resource_properties("AWS::IoT::ProvisioningTemplate", {
        "TemplateType": "FLEET_PROVISIONING",
        "Enabled": True,
        "PreProvisioningHook": {"PayloadVersion": "2020-04-01", "TargetArn": {"Fn::GetAtt": [hook_id, "Arn"]}},
    })
    body = deployed_body(template.to_json()["Resources"][template_id]["Properties"]["TemplateBody"])
    # The default template: the thing is named by the SerialNumber the device sends in RegisterThing.
    assert list(body["Parameters"]) == ["SerialNumber", "AWS::IoT::Certificate::Id"]
    assert body["Resources"]["thing"]["Properties"] == {"ThingName": {"Ref": "SerialNumber"}}
    assert body["Resources"]["certificate"]["Properties"] == {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"}
    assert body["Resources"]["policy"]["Properties"] == {"PolicyName": "the-device-policy"}
    # The hook knows what to check and whom to ask, and leaves itself time inside AWS IoT's 5 s.
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Pre-provisioning hook"),
        "Timeout": 5,
        "Environment": {"Variables": assertions.Match.object_like({
            "THING_NAME_PARAMETER": "SerialNumber",
            "REQUIRED_PARAMETERS": '["SerialNumber"]',
            "VERIFIER_ARN": {"Fn::GetAtt": [assertions.Match.string_like_regexp("^SerialVerifier"), "Arn"]},
            "VERIFIER_TIMEOUT_MS": "3500",
        })},
    })


def test_two_claim_certificates_are_issued_at_deploy_time(fleet):
    _, stack, template = fleet
    template_id, _, policy_id = fleet_ids(template)
    template.resource_count_is("Custom::IotClaimCertificate", 2)
    claims = template.find_resources("Custom::IotClaimCertificate")
    for claim in claims.values():
        assert claim["Properties"]["ClaimPolicyName"] == {"Ref": policy_id}
        assert claim["Properties"]["TemplateName"] == {"Ref": template_id}
        assert claim["DeletionPolicy"] == "Delete"  # the claims go with the stack
    # claim_certificate_ids are the resources' CertificateId attributes.
    joined = json.dumps(stack.template["Outputs"]["ClaimCertificateIds"])
    for claim_id in claims:
        assert json.dumps({"Fn::GetAtt": [claim_id, "CertificateId"]}) in joined


def test_the_claim_policy_subscribes_with_topicfilter_arns_and_publishes_with_topic_arns(fleet):
    _, _, template = fleet
    template_id, _, policy_id = fleet_ids(template)
    policy = template.to_json()["Resources"][policy_id]
    assert policy["Type"] == "AWS::IoT::Policy"
    by_action = {}
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            by_action.setdefault(action, set()).update(arn_text(resource) for resource in as_list(statement["Resource"]))
    apis = ["$aws/certificates/create", "$aws/certificates/create-from-csr", f"$aws/provisioning-templates/<{template_id}>/provision"]
    requests = [f"{api}/{payload_format}" for api in apis for payload_format in ("json", "cbor")]
    # One wildcard per API for the answers keeps the document under AWS IoT's 2048 characters.
    answers = [f"{api}/*" for api in apis]
    assert set(by_action) == {"iot:Connect", "iot:Publish", "iot:Receive", "iot:Subscribe"}
    assert by_action["iot:Connect"] == {ARN_PREFIX + "client/*"}
    assert by_action["iot:Publish"] == {ARN_PREFIX + "topic/" + topic for topic in requests}
    assert by_action["iot:Receive"] == {ARN_PREFIX + "topic/" + topic for topic in answers}
    # The trap: a Subscribe on topic/... ARNs is refused (SUBACK 0x80); it takes topicfilter/... ARNs.
    assert by_action["iot:Subscribe"] == {ARN_PREFIX + "topicfilter/" + topic for topic in answers}


def test_only_aws_iot_may_invoke_the_hook_for_this_template_from_this_account(fleet):
    _, _, template = fleet
    template_id, hook_id, _ = fleet_ids(template)
    _, permission = only_resource(template, "AWS::Lambda::Permission", {
        "Properties": {"FunctionName": {"Fn::GetAtt": [hook_id, "Arn"]}},
    })
    properties = permission["Properties"]
    assert properties["Action"] == "lambda:InvokeFunction"
    assert properties["Principal"] == "iot.amazonaws.com"
    assert properties["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert arn_text(properties["SourceArn"]) == f"{ARN_PREFIX}provisioningtemplate/<{template_id}>"


def test_the_factory_reads_the_claims_and_is_the_only_reader_of_their_keys(fleet):
    _, _, template = fleet
    _, factory_policy = only_resource(template, "AWS::IAM::Policy", {
        "Properties": {"Roles": [{"Ref": assertions.Match.string_like_regexp("^Factory")}]},
    })
    statements = factory_policy["Properties"]["PolicyDocument"]["Statement"]
    reads = [statement for statement in statements if "s3:GetObject" in as_list(statement["Action"])]
    assert len(reads) == 1, statements
    # The claims/ folder of the vault, and nothing else in it (not the CA keys beside it).
    assert [arn_text(resource) for resource in as_list(reads[0]["Resource"])] == [f"<{vault_bucket_id(template)}.Arn>/claims/*"]
    assert any("kms:Decrypt" in as_list(statement["Action"]) for statement in statements)
    # The bucket policy refuses the claim keys to every other principal. The claim issuer is listed
    # from the start (the fence stands before any grant), though it holds no read permission.
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "PolicyDocument": {"Statement": assertions.Match.array_with([assertions.Match.object_like({
            "Sid": "OnlyGranteesReadClaimPrivateKeys",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [
                {"Fn::GetAtt": [assertions.Match.string_like_regexp("^FleetClaimCertificatesIssuerRole"), "Arn"]},
                {"Fn::GetAtt": [assertions.Match.string_like_regexp("^Factory"), "Arn"]},
            ]}},
        })])},
    })


def test_the_trusted_app_may_create_provisioning_claims_for_this_template_only(fleet):
    _, _, template = fleet
    template_id, _, _ = fleet_ids(template)
    _, app_policy = only_resource(template, "AWS::IAM::Policy", {
        "Properties": {"Roles": [{"Ref": assertions.Match.string_like_regexp("^TrustedApp")}]},
    })
    statements = app_policy["Properties"]["PolicyDocument"]["Statement"]
    assert [(statement["Action"], arn_text(statement["Resource"])) for statement in statements] == [
        ("iot:CreateProvisioningClaim", f"{ARN_PREFIX}provisioningtemplate/<{template_id}>"),
    ]


def test_the_hook_and_the_claim_issuer_ship_their_bundled_code(fleet):
    outdir, stack, _ = fleet
    handlers = bundled_handlers(outdir, stack)
    for description in ("Pre-provisioning hook", "Issues fleet provisioning claim certificates"):
        paths = [path for name, path in handlers.items() if name.startswith(description)]
        assert len(paths) == 1, list(handlers)
        assert os.path.getsize(paths[0]) > 5_000, paths[0]


JITP_ONLY_TEMPLATE = json.dumps({
    "Parameters": {"AWS::IoT::Certificate::CommonName": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
    "Resources": {
        "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "AWS::IoT::Certificate::CommonName"}}},
        "certificate": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"}},
    },
})


@pytest.mark.parametrize("props, message", [
    ({"template_body": "{not json"}, "templateBody is not valid JSON"),
    ({"template_body": JITP_ONLY_TEMPLATE}, "templateBody: parameter 'AWS::IoT::Certificate::CommonName' is filled in only by JITP"),
    ({"claim_certificate_count": 11}, "claimCertificateCount must be a whole number from 0 to 10, got 11"),
])
def test_a_bad_fleet_prop_fails_synth_in_python_with_the_prop_named(props, message):
    stack = cdk.Stack(cdk.App(), "PyFleetBadProps")
    with pytest.raises(Exception, match=re.escape(message)):
        FleetProvision(stack, "Fleet", **props)


def test_a_fleet_template_of_your_own_names_the_shared_policy():
    stack = cdk.Stack(cdk.App(), "PyFleetOwnTemplate")
    own_template = {
        "Parameters": {"DeviceId": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
        "Resources": {
            "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "DeviceId"}}},
            "certificate": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"}},
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": FleetProvision.DEVICE_POLICY_NAME}},
        },
    }
    FleetProvision(stack, "Fleet", template_body=json.dumps(own_template), thing_name_parameter="DeviceId", claim_certificate_count=0)
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("Custom::IotClaimCertificate", 0)
    _, provisioning = only_resource(template, "AWS::IoT::ProvisioningTemplate")
    assert deployed_body(provisioning["Properties"]["TemplateBody"])["Resources"]["policy"]["Properties"] == {"PolicyName": "the-device-policy"}
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Pre-provisioning hook"),
        "Environment": {"Variables": assertions.Match.object_like({"THING_NAME_PARAMETER": "DeviceId", "REQUIRED_PARAMETERS": '["DeviceId"]'})},
    })


# --- PyCsrApi -------------------------------------------------------------------------------

def test_provision_device_is_a_post_with_aws_iam_a_request_model_and_a_validator(csr_api):
    _, _, template = csr_api
    provision_id, _ = only_resource(template, "AWS::ApiGateway::Resource", {"Properties": {"PathPart": "provision"}})
    device_id, _ = only_resource(template, "AWS::ApiGateway::Resource", {
        "Properties": {"PathPart": "device", "ParentId": {"Ref": provision_id}},
    })
    model_id, model = only_resource(template, "AWS::ApiGateway::Model")
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST",
        "AuthorizationType": "AWS_IAM",
        "ResourceId": {"Ref": device_id},
        "RequestModels": {"application/json": {"Ref": model_id}},
        "RequestValidatorId": assertions.Match.any_value(),
    })
    schema = model["Properties"]["Schema"]
    assert schema["required"] == ["ThingName", "CSR"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"ThingName", "CSR", "ThingTypeName", "AttributePayload", "ThingGroups", "rotate"}
    template.has_resource_properties("AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True})


def test_the_factory_line_is_a_role_granted_provision_and_there_is_no_iam_user(csr_api):
    _, _, template = csr_api
    # The seed made an IAM user whose access keys someone had to create and keep: here, none.
    template.resource_count_is("AWS::IAM::User", 0)
    template.resource_count_is("AWS::IAM::AccessKey", 0)
    _, factory_policy = only_resource(template, "AWS::IAM::Policy", {
        "Properties": {"Roles": [{"Ref": assertions.Match.string_like_regexp("^FactoryLine")}]},
    })
    statements = factory_policy["Properties"]["PolicyDocument"]["Statement"]
    assert [statement["Action"] for statement in statements] == ["execute-api:Invoke"]
    assert arn_text(statements[0]["Resource"]).endswith("/POST/provision/device")


def test_the_provisioner_ships_its_bundled_code_and_knows_the_policy_and_the_types(csr_api):
    outdir, stack, template = csr_api
    handlers = bundled_handlers(outdir, stack)
    provisioner = [path for description, path in handlers.items() if description.startswith("Provisions a thing and a certificate")]
    assert len(provisioner) == 1, list(handlers)
    assert os.path.getsize(provisioner[0]) > 10_000, provisioner[0]
    policy_id, _ = only_resource(template, "AWS::IoT::Policy")
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Provisions a thing and a certificate"),
        "Environment": {"Variables": {"DEVICE_POLICY_NAME": {"Ref": policy_id}, "ALLOWED_THING_TYPES": '["sensor"]'}},
    })


# --- PyGateway ------------------------------------------------------------------------------

def test_register_is_a_post_behind_an_uncached_token_authorizer_on_the_authorization_header(gateway):
    _, _, template = gateway
    authorizer_id, _ = only_resource(template, "AWS::ApiGateway::Authorizer", {
        "Properties": {
            "Type": "TOKEN",
            "IdentitySource": "method.request.header.Authorization",
            "IdentityValidationExpression": "^Token \\S+$",
            # 0: a token removed from the secret or spent is refused on the next request, not after a cache expires.
            "AuthorizerResultTtlInSeconds": 0,
        },
    })
    register_id, _ = only_resource(template, "AWS::ApiGateway::Resource", {"Properties": {"PathPart": "register"}})
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST",
        "AuthorizationType": "CUSTOM",
        "AuthorizerId": {"Ref": authorizer_id},
        "ResourceId": {"Ref": register_id},
        "RequestModels": {"application/json": assertions.Match.any_value()},
    })
    _, model = only_resource(template, "AWS::ApiGateway::Model")
    assert model["Properties"]["Schema"]["required"] == ["thingName", "version"]
    assert model["Properties"]["Schema"]["properties"]["thingType"]["enum"] == ["sensor", "hub"]


def test_the_token_hashes_live_in_a_secrets_manager_secret_only_the_authorizer_reads(gateway):
    _, _, template = gateway
    secret_id, _ = only_resource(template, "AWS::SecretsManager::Secret", {"Properties": {"SecretString": '{"tokens":[]}'}})
    # The seed kept plain tokens in SSM parameters (and in cdk.json): none here.
    template.resource_count_is("AWS::SSM::Parameter", 0)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Checks registration tokens"),
        "Environment": {"Variables": {"TOKEN_IDENTIFIER": "Token", "TOKENS_SECRET_ARN": {"Ref": secret_id}, "SECRET_CACHE_SECONDS": "60"}},
    })
    readers = [
        policy for policy in template.find_resources("AWS::IAM::Policy").values()
        if any("secretsmanager:GetSecretValue" in as_list(statement["Action"])
               for statement in policy["Properties"]["PolicyDocument"]["Statement"])
    ]
    assert len(readers) == 1, readers
    assert json.dumps(readers[0]["Properties"]["Roles"]).count("GatewayAuthorizer") == 1


def test_a_thing_type_and_a_policy_per_kind_of_device(gateway):
    _, _, template = gateway
    template.resource_count_is("AWS::IoT::ThingType", 2)
    template.has_resource_properties("AWS::IoT::ThingType", {
        "ThingTypeProperties": {"ThingTypeDescription": "Battery sensors", "SearchableAttributes": ["version", "model", "site"]},
    })
    template.has_resource_properties("AWS::IoT::ThingType", {
        "ThingTypeProperties": {"ThingTypeDescription": "Mains-powered hubs", "SearchableAttributes": ["version"]},
    })
    template.resource_count_is("AWS::IoT::Policy", 2)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Description": assertions.Match.string_like_regexp("^Registers a device"),
        "Environment": {"Variables": assertions.Match.object_like({
            "DEFAULT_THING_TYPE": "sensor",
            "TOKEN_LEDGER_PREFIX": "used-tokens",
            "THING_TYPES": assertions.Match.any_value(),
        })},
    })


def test_registry_events_of_things_are_archived_to_s3_by_a_topic_rule(gateway):
    _, _, template = gateway
    _, rule = only_resource(template, "AWS::IoT::TopicRule")
    payload = rule["Properties"]["TopicRulePayload"]
    assert payload["Sql"] == "SELECT * FROM '$aws/events/thing/#'"
    assert [list(action) for action in payload["Actions"]] == [["S3"]]
    assert payload["Actions"][0]["S3"]["Key"] == "events/${topic()}/${timestamp()}-${newuuid()}.json"
    assert list(payload["ErrorAction"]) == ["S3"]
    # AWS IoT publishes no registry events until they are turned on: the custom resource turns on THING events first.
    template.has_resource_properties("Custom::IotRegistryEvents", {"EventTypes": ["THING"]})
    assert any("ThingEvents" in dependency for dependency in as_list(rule.get("DependsOn", [])))
    # The seed archived them in IoT Analytics, which AWS retired: nothing of it here.
    for resource_type in ("AWS::IoTAnalytics::Channel", "AWS::IoTAnalytics::Datastore", "AWS::IoTAnalytics::Pipeline"):
        template.resource_count_is(resource_type, 0)


def test_the_gateway_handlers_ship_their_bundled_code(gateway):
    outdir, stack, _ = gateway
    handlers = bundled_handlers(outdir, stack)
    for description in ("Checks registration tokens", "Registers a device", "Turns on AWS IoT THING registry events"):
        paths = [path for name, path in handlers.items() if name.startswith(description)]
        assert len(paths) == 1, list(handlers)
        assert os.path.getsize(paths[0]) > 1_000, paths[0]


@pytest.mark.parametrize("props, message", [
    ({"token_identifier": "two words"}, "tokenIdentifier 'two words' must be a word"),
    ({"thing_types": {"bad type": RegistrationThingType()}}, "thingTypes: 'bad type' is not a thing type name"),
    ({"thing_types": {"sensor": RegistrationThingType(attributes=["version"])}}, "thingTypes.sensor.attributes: 'version'"),
    ({"thing_types": {"a": RegistrationThingType(), "b": RegistrationThingType()}, "default_thing_type": "c"},
     "defaultThingType 'c' is not one of thingTypes (a, b)"),
])
def test_a_bad_gateway_prop_fails_synth_in_python_with_the_prop_named(props, message):
    stack = cdk.Stack(cdk.App(), "PyGatewayBadProps")
    with pytest.raises(Exception, match=re.escape(message)):
        RegistrationGateway(stack, "Gateway", **props)


def test_a_bad_csr_api_prop_fails_synth_in_python_with_the_prop_named():
    stack = cdk.Stack(cdk.App(), "PyCsrApiBadProps")
    with pytest.raises(Exception, match=re.escape("allowedThingTypes: 'bad type' is not a thing type name")):
        CsrProvisioningApi(stack, "CsrApi", allowed_thing_types=["bad type"])


# --- removal (security review) ---------------------------------------------------------------

def deletion_policies(stack, resource_type):
    template = assertions.Template.from_stack(stack).to_json()
    return sorted(resource.get("DeletionPolicy", "Delete") for resource in template["Resources"].values() if resource["Type"] == resource_type)


def test_cdk_destroy_removes_the_vault_by_default_and_removal_policy_retain_keeps_it_from_python():
    from cdk_iot_security import CaVaultProps, JustInTimeRegistration

    destroyed = cdk.Stack(cdk.App(), "PyJitrDestroyed")
    JustInTimeRegistration(destroyed, "Jitr")
    assert deletion_policies(destroyed, "AWS::S3::Bucket") == ["Delete", "Delete"]
    assert deletion_policies(destroyed, "AWS::KMS::Key") == ["Delete"]
    assertions.Template.from_stack(destroyed).resource_count_is("Custom::S3AutoDeleteObjects", 2)

    kept = cdk.Stack(cdk.App(), "PyJitrKept")
    JustInTimeRegistration(kept, "Jitr", vault=CaVaultProps(removal_policy=cdk.RemovalPolicy.RETAIN))
    assert deletion_policies(kept, "AWS::S3::Bucket") == ["Retain", "Retain"]
    assert deletion_policies(kept, "AWS::KMS::Key") == ["Retain"]
    assert set(deletion_policies(kept, "AWS::Logs::LogGroup")) == {"Delete"}
    assertions.Template.from_stack(kept).resource_count_is("Custom::S3AutoDeleteObjects", 0)


def test_removal_policy_snapshot_is_refused_in_python_with_the_prop_named():
    stack = cdk.Stack(cdk.App(), "PyGatewaySnapshot")
    with pytest.raises(Exception, match=re.escape("removalPolicy: RemovalPolicy.SNAPSHOT does not apply")):
        RegistrationGateway(stack, "Gateway", removal_policy=cdk.RemovalPolicy.SNAPSHOT)
