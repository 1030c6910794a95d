"""A Python CDK app using cdk-iot-security from its wheel, as a Python user writes one.

Run as a script it synthesizes into the directory given as its first argument
(default: cdk.out); the tests import build_app() and assert on the template.
Five stacks: PyJitr (just-in-time registration), PyJitp (just-in-time provisioning), PyFleet
(fleet provisioning), PyCsrApi (the CSR provisioning API, called by a factory-line role) and
PyGateway (the token-authorized registration gateway for two kinds of device).
"""
import sys

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_iot_security import (
    CertificateSubjectField,
    CsrProvisioningApi,
    FleetProvision,
    JustInTimeProvision,
    JustInTimeRegistration,
    KeyAlgorithm,
    RegistrationGateway,
    RegistrationThingType,
)

ALLOW_LIST_VERIFIER = """
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  return cn.startsWith('py-device-') ? { verified: true } : { verified: false, reason: 'not on the allow-list' };
};
"""


def allow_list_verifier(stack: cdk.Stack) -> lambda_.Function:
    return lambda_.Function(
        stack,
        "AllowListVerifier",
        code=lambda_.Code.from_inline(ALLOW_LIST_VERIFIER),
        handler="index.handler",
        runtime=lambda_.Runtime.NODEJS_22_X,
    )


def build_jitr_stack(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "PyJitr")
    jitr = JustInTimeRegistration(
        stack,
        "Jitr",
        verifiers={"allowList": allow_list_verifier(stack)},
        default_ca_key_algorithm=KeyAlgorithm.ECDSA_P256,
    )
    cdk.CfnOutput(stack, "CaRegisterUrl", value=jitr.api.url_for_path("/caRegister"))
    cdk.CfnOutput(stack, "DevicePolicyName", value=jitr.device_policy_name)
    return stack


def build_jitp_stack(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "PyJitp")
    jitp = JustInTimeProvision(
        stack,
        "Jitp",
        verifiers={"allowList": allow_list_verifier(stack)},
        # Every device certificate must then carry O and C (the API refuses those without).
        thing_attribute_fields=[CertificateSubjectField.ORGANIZATION, CertificateSubjectField.COUNTRY],
    )
    factory = iam.Role(stack, "Factory", assumed_by=iam.AccountRootPrincipal())
    jitp.grant_ca_register(factory)
    jitp.grant_device_certificate_generate(factory)
    cdk.CfnOutput(stack, "DeviceCertificateGenerateUrl", value=jitp.api.url_for_path("/deviceCertificateGenerate"))
    cdk.CfnOutput(stack, "ProvisioningTemplateName", value=jitp.provisioning_template.ref)
    return stack


SERIAL_VERIFIER = """
exports.handler = async (input) => {
  const serial = (input.provisioning && input.provisioning.parameters && input.provisioning.parameters.SerialNumber) || '';
  return serial.startsWith('py-sensor-') ? { verified: true } : { verified: false, reason: 'not one of our serials' };
};
"""


def build_fleet_stack(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "PyFleet")
    verifier = lambda_.Function(
        stack,
        "SerialVerifier",
        code=lambda_.Code.from_inline(SERIAL_VERIFIER),
        handler="index.handler",
        runtime=lambda_.Runtime.NODEJS_22_X,
    )
    fleet = FleetProvision(stack, "Fleet", verifier=verifier, claim_certificate_count=2)
    # The factory installs claim certificates on devices; the app (a trusted user) asks for temporary claims.
    factory = iam.Role(stack, "Factory", assumed_by=iam.AccountRootPrincipal())
    fleet.grant_read_claim_certificates(factory)
    trusted_app = iam.Role(stack, "TrustedApp", assumed_by=iam.AccountRootPrincipal())
    fleet.grant_create_provisioning_claim(trusted_app)
    cdk.CfnOutput(stack, "TemplateName", value=fleet.template_name)
    cdk.CfnOutput(stack, "ClaimCertificateIds", value=cdk.Fn.join(",", fleet.claim_certificate_ids))
    return stack


def build_csr_api_stack(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "PyCsrApi")
    csr_api = CsrProvisioningApi(stack, "CsrApi", allowed_thing_types=["sensor"])
    # The factory line signs its calls as this role (SigV4): no IAM user, no long-lived access keys.
    factory_line = iam.Role(stack, "FactoryLine", assumed_by=iam.AccountRootPrincipal())
    csr_api.grant_provision(factory_line)
    cdk.CfnOutput(stack, "ProvisionDeviceUrl", value=csr_api.api.url_for_path("/provision/device"))
    cdk.CfnOutput(stack, "FactoryLineRoleArn", value=factory_line.role_arn)
    return stack


def build_gateway_stack(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "PyGateway")
    gateway = RegistrationGateway(
        stack,
        "Gateway",
        thing_types={
            "sensor": RegistrationThingType(attributes=["model", "site"], description="Battery sensors"),
            "hub": RegistrationThingType(description="Mains-powered hubs"),
        },
        default_thing_type="sensor",
    )
    cdk.CfnOutput(stack, "RegisterUrl", value=gateway.api.url_for_path("/register"))
    cdk.CfnOutput(stack, "TokensSecretArn", value=gateway.tokens_secret.secret_arn)
    cdk.CfnOutput(stack, "SensorThingType", value=gateway.thing_type_names["sensor"])
    return stack


def build_app(outdir: str) -> cdk.App:
    app = cdk.App(outdir=outdir)
    build_jitr_stack(app)
    build_jitp_stack(app)
    build_fleet_stack(app)
    build_csr_api_stack(app)
    build_gateway_stack(app)
    return app


if __name__ == "__main__":
    build_app(sys.argv[1] if len(sys.argv) > 1 else "cdk.out").synth()
