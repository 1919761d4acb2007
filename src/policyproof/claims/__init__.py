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

The shape is checked with ``data/claims.schema.json``; every error names the file, line and column.
"""

from policyproof.claims.loader import claims_schema, load_claims
from policyproof.claims.model import CLAIMS_FILE_NAME, Claim, ClaimsError, ClaimsFile
from policyproof.claims.prove import ClaimResult, find_claims_files, prove, prove_claims

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
