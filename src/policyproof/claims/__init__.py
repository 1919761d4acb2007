"""Claims: what a page says, proved by the engine against the page's own snippets.

``snippets/<section>/<page>/claims.yaml`` names the accounts, the resources (with their policy
files), the principals (with theirs), then the claims. Each claim is one request or one flow with
the decision the page promises; it may drop a policy (or one statement of it) or swap one policy
for another to show what happens without it::

    accounts: {A: "111111111111", B: "222222222222"}
    region: us-east-1
    resources:
      key-a: {arn: "arn:aws:kms:us-east-1:111111111111:key/…", policy: key-a.key-policy.json}
      aws-s3-key-a: {arn: "arn:aws:kms:us-east-1:111111111111:key/…", managed: aws/s3,
                     policy: aws-s3-managed-key.key-policy.json}   # the file must equal the data
      bucket-a: {arn: "arn:aws:s3:::amzn-s3-demo-bucket", account: A,
                 policy: bucket-a.bucket-policy.json, encryption: {key: key-a, bucket_key: false}}
    principals:
      app-b: {arn: "arn:aws:iam::222222222222:role/app", policies: [app.identity-policy.json]}
    claims:
      - id: b-decrypts
        text: {vi: "…", en: "…"}
        request: {principal: app-b, action: "kms:Decrypt", resource: key-a}
        expect: Allow
      - id: b-reads-object
        text: {vi: "…", en: "…"}
        flow: {name: s3-get-object, principal: app-b, object: bucket-a/reports/q1.csv}
        without: ["key-a.key-policy.json#AllowAccountB"]   # drop one statement (Sid or 1-based index)
        expect: ImplicitDeny
        denied_at: kms:Decrypt                               # the first step that fails

A page about organizations, VPC endpoints or KMS grants also describes them (all optional)::

    organization:                  # the AWS Organization the accounts belong to
      id: o-a1b2c3d4e5
      accounts: [A, B]             # its accounts by name (or id); every other account is outside
      management_account: A        # optional, one of them: no SCP or RCP applies to it (AWS)
      scps: [deny-outside.scp.json]          # apply to principals of member accounts
      rcps: [perimeter.rcp.json]             # apply to resources of member accounts
      full_aws_access: true        # AWS's FullAWSAccess SCP stays attached beside them (default)
    endpoints:                     # VPC endpoints a request may go through
      s3-endpoint: {id: vpce-1a2b3c4d, account: A, vpc: vpc-11aa22bb, policy: s3.endpoint-policy.json}
    grants:                        # KMS grants that exist in this world (apply to every claim)
      b-decrypt:
        key: key-a                 # a KMS key resource of this file
        grantee: app-b             # a principal name of this file, a service principal, or an ARN
        operations: [Decrypt, DescribeKey]
        constraints: {encryption_context_subset: {Department: IT}}  # or encryption_context_equals
        retiring_principal: arn:aws:iam::111111111111:role/admin     # optional (name or ARN)
    principals:
      sso-a:
        arn: "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_1234/alice"
        role_path: /aws-reserved/sso.amazonaws.com/   # the role's path (aws:PrincipalArn keeps it)
        unique_id: AROAEXAMPLEID1234567               # optional, for aws:userid
        tags: {team: blue}                            # aws:PrincipalTag/team
        session_policies: [read-only.session-policy.json]
        boundaries: [cap.boundary-policy.json]        # (an .identity-policy.json file is accepted too)
    claims:
      - id: b-decrypts-with-grant
        text: {vi: "…", en: "…"}
        request: {principal: app-b, action: "kms:Decrypt", resource: key-a, endpoint: s3-endpoint,
                  context: {"kms:EncryptionContext:Department": IT}}
        without: ["grant:b-decrypt", "key-a.key-policy.json#AllowAccountB", "deny-outside.scp.json"]
        expect: ImplicitDeny

A request through an endpoint is also decided by the endpoint's policy, with aws:SourceVpce,
aws:VpceAccount, aws:VpceOrgID and aws:SourceVpc filled in. ``without`` takes policy files,
``file#Sid`` (or a 1-based index) and ``grant:NAME``.

The shape is checked with ``data/claims.schema.json``; every error names the file, line and column.
"""

from policyproof.claims.loader import load_claims
from policyproof.claims.model import CLAIMS_FILE_NAME, Claim, ClaimsError, ClaimsFile
from policyproof.claims.prove import ClaimResult, find_claims_files, prove, prove_claims
from policyproof.claims.source import claims_schema

__all__ = [
    "Claim",
    "ClaimResult",
    "ClaimsError",
    "ClaimsFile",
    "CLAIMS_FILE_NAME",
    "claims_schema",
    "find_claims_files",
    "load_claims",
    "prove",
    "prove_claims",
]
