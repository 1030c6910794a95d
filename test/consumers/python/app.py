"""A Python CDK app using cdk-iot-security from its wheel, as a Python user writes one.

Run as a script it synthesizes into the directory given as its first argument
(default: cdk.out); the tests import build_app() and assert on the template.
"""
import sys

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from cdk_iot_security import JustInTimeRegistration, KeyAlgorithm

ALLOW_LIST_VERIFIER = """
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  return cn.startsWith('py-device-') ? { verified: true } : { verified: false, reason: 'not on the allow-list' };
};
"""


def build_app(outdir: str) -> cdk.App:
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "PyJitr")
    verifier = lambda_.Function(
        stack,
        "AllowListVerifier",
        code=lambda_.Code.from_inline(ALLOW_LIST_VERIFIER),
        handler="index.handler",
        runtime=lambda_.Runtime.NODEJS_22_X,
    )
    jitr = JustInTimeRegistration(
        stack,
        "Jitr",
        verifiers={"allowList": verifier},
        default_ca_key_algorithm=KeyAlgorithm.ECDSA_P256,
    )
    cdk.CfnOutput(stack, "CaRegisterUrl", value=jitr.api.url_for_path("/caRegister"))
    cdk.CfnOutput(stack, "DevicePolicyName", value=jitr.device_policy_name)
    return app


if __name__ == "__main__":
    build_app(sys.argv[1] if len(sys.argv) > 1 else "cdk.out").synth()
