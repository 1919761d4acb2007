"""Every finding code the checker can raise, as data.

The rule reference pages (``docs/reference/rules.md`` and ``.en.md``) are generated from this
table, and every finding's severity comes from it, so a code, its severity and its documentation
cannot disagree. Codes are stable, lower-case, hyphenated names; a code is never reused for a
different problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from policyproof.check.findings import Finding, Severity

E, S, W, G = Severity.ERROR, Severity.SECURITY_WARNING, Severity.WARNING, Severity.SUGGESTION


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    group: str
    title_en: str
    title_vi: str
    description_en: str
    description_vi: str


#: group id -> (English heading, Vietnamese heading), in page order.
GROUPS: dict[str, tuple[str, str]] = {
    "syntax": ("JSON and structure", "JSON và cấu trúc"),
    "actions": ("Actions and services", "Action và service"),
    "resources": ("Resources and ARNs", "Resource và ARN"),
    "principals": ("Principals", "Principal"),
    "conditions": ("Conditions", "Condition"),
    "kind": ("Rules of each policy kind", "Quy tắc theo loại policy"),
    "security": ("Security warnings", "Cảnh báo bảo mật"),
}

RULES: tuple[Rule, ...] = (
    # -- syntax ---------------------------------------------------------------------------------
    Rule(
        "json-syntax",
        E,
        "syntax",
        "Not valid JSON",
        "JSON không hợp lệ",
        "The file is not strict JSON: a trailing comma, a duplicate key, NaN, a single-quoted string or "
        "another syntax error. IAM rejects it, and lenient parsers silently drop one of two duplicate keys.",
        "Tệp không phải JSON chuẩn: dấu phẩy thừa ở cuối, khoá bị lặp, NaN, chuỗi trong nháy đơn hoặc lỗi cú "
        "pháp khác. IAM từ chối tệp này, còn các parser dễ dãi thì lặng lẽ bỏ mất một trong hai khoá trùng.",
    ),
    Rule(
        "schema-type",
        E,
        "syntax",
        "Element has the wrong type",
        "Phần tử sai kiểu dữ liệu",
        "An element has the wrong JSON type, for example a number where a string or a list of strings is "
        "expected. The message names the expected shape.",
        "Một phần tử có kiểu JSON sai, ví dụ một số ở chỗ cần chuỗi hoặc danh sách chuỗi. Thông báo nêu rõ "
        "dạng cần có.",
    ),
    Rule(
        "missing-element",
        E,
        "syntax",
        "Required element missing",
        "Thiếu phần tử bắt buộc",
        "A required element is absent: Statement in the policy; Effect, Action (or NotAction) and Resource "
        "(or NotResource) in a statement.",
        "Thiếu một phần tử bắt buộc: Statement trong policy; Effect, Action (hoặc NotAction) và Resource "
        "(hoặc NotResource) trong một statement.",
    ),
    Rule(
        "unknown-element",
        E,
        "syntax",
        "Unknown element",
        "Phần tử không tồn tại",
        'An element name IAM does not know, often a typo or wrong case ("action" instead of "Action"). '
        "Element names are case-sensitive.",
        'Tên phần tử mà IAM không biết, thường do gõ sai hoặc sai chữ hoa/thường ("action" thay vì '
        '"Action"). Tên phần tử phân biệt chữ hoa, chữ thường.',
    ),
    Rule(
        "element-conflict",
        E,
        "syntax",
        "Conflicting elements",
        "Các phần tử loại trừ nhau",
        "A statement uses both Action and NotAction, Resource and NotResource, or Principal and "
        "NotPrincipal. "
        "Keep one of each pair.",
        "Một statement dùng cùng lúc Action và NotAction, Resource và NotResource, hoặc Principal và "
        "NotPrincipal. Chỉ giữ một phần tử trong mỗi cặp.",
    ),
    Rule(
        "invalid-version",
        E,
        "syntax",
        "Invalid Version",
        "Version không hợp lệ",
        'Version is the policy language version, not a date you choose: it must be "2012-10-17" (or the '
        'obsolete "2008-10-17").',
        'Version là phiên bản ngôn ngữ policy, không phải một ngày tuỳ chọn: phải là "2012-10-17" (hoặc '
        'bản cũ "2008-10-17").',
    ),
    Rule(
        "missing-version",
        W,
        "syntax",
        "Version missing",
        "Thiếu Version",
        "Without Version, IAM uses the 2008-10-17 grammar, in which policy variables such as ${aws:username} "
        'are plain text. Add "Version": "2012-10-17".',
        "Không có Version thì IAM dùng ngữ pháp 2008-10-17, trong đó biến policy như ${aws:username} chỉ là "
        'chuỗi thường. Hãy thêm "Version": "2012-10-17".',
    ),
    Rule(
        "old-version",
        W,
        "syntax",
        "Obsolete Version 2008-10-17",
        "Version cũ 2008-10-17",
        'Version 2008-10-17 does not support policy variables. Use "2012-10-17".',
        'Version 2008-10-17 không hỗ trợ biến policy. Hãy dùng "2012-10-17".',
    ),
    Rule(
        "invalid-effect",
        E,
        "syntax",
        "Invalid Effect",
        "Effect không hợp lệ",
        'Effect must be exactly "Allow" or "Deny" (case-sensitive).',
        'Effect phải đúng là "Allow" hoặc "Deny" (phân biệt chữ hoa, chữ thường).',
    ),
    Rule(
        "empty-statement",
        E,
        "syntax",
        "Empty Statement list",
        "Danh sách Statement rỗng",
        "Statement is an empty list: the policy grants and denies nothing. Add a statement.",
        "Statement là danh sách rỗng: policy không cho phép cũng không từ chối gì. Hãy thêm statement.",
    ),
    Rule(
        "duplicate-sid",
        E,
        "syntax",
        "Duplicate Sid",
        "Sid bị trùng",
        "Two statements have the same Sid. Resource policies (key and bucket policies) require unique Sids; "
        "in any policy a duplicate makes findings and logs ambiguous.",
        "Hai statement có cùng Sid. Resource policy (key policy, bucket policy) bắt buộc Sid duy nhất; ở mọi "
        "policy, Sid trùng làm kết quả kiểm tra và log khó hiểu.",
    ),
    Rule(
        "invalid-sid",
        E,
        "syntax",
        "Invalid Sid characters",
        "Sid chứa ký tự không hợp lệ",
        "In identity policies and SCPs a Sid may contain only letters and digits (A-Z, a-z, 0-9).",
        "Trong identity policy và SCP, Sid chỉ được chứa chữ cái và chữ số (A-Z, a-z, 0-9).",
    ),
    # -- actions ----------------------------------------------------------------------------------
    Rule(
        "malformed-action",
        E,
        "actions",
        "Malformed action",
        "Action sai định dạng",
        'An action is written service:ActionName (for example s3:GetObject), or "*".',
        'Action có dạng service:TênAction (ví dụ s3:GetObject), hoặc "*".',
    ),
    Rule(
        "unknown-service",
        E,
        "actions",
        "Unknown service prefix",
        "Service prefix không tồn tại",
        "The service prefix before the colon is not in the AWS Service Authorization Reference. The message "
        "suggests the closest prefix.",
        "Service prefix trước dấu hai chấm không có trong AWS Service Authorization Reference. Thông báo "
        "gợi ý "
        "prefix gần nhất.",
    ),
    Rule(
        "unknown-action",
        E,
        "actions",
        "Unknown action",
        "Action không tồn tại",
        "The service exists but has no such action; IAM accepts the policy and the line silently grants "
        'nothing. The message suggests the closest action name ("did you mean").',
        "Service có tồn tại nhưng không có action này; IAM vẫn nhận policy và dòng đó lặng lẽ không cấp "
        "quyền "
        'gì. Thông báo gợi ý tên action gần nhất ("có phải ý bạn là").',
    ),
    Rule(
        "retired-service-action",
        W,
        "actions",
        "Action of a retired service",
        "Action của service đã ngừng",
        "The action belongs to a service AWS has retired or renamed, so the catalog no longer lists it. "
        "The statement is harmless but dead; remove it when you can.",
        "Action thuộc một service mà AWS đã ngừng hoặc đổi tên, nên catalog không còn liệt kê. Statement "
        "vô hại nhưng không còn tác dụng; hãy xoá khi có thể.",
    ),
    Rule(
        "unlisted-condition-key",
        W,
        "conditions",
        "Condition key missing from the AWS catalog",
        "Condition key không có trong catalog AWS",
        "AWS uses this condition key in its own managed policies, but the Service Authorization Reference "
        "does not list it, so nothing guarantees the service sets it in the request context. A condition "
        "on a key that is never set behaves as if the key were missing. Keep it only if you know it works.",
        "AWS dùng condition key này trong chính các managed policy của mình, nhưng Service Authorization "
        "Reference không liệt kê nó, nên không có gì bảo đảm service đưa nó vào request context. Điều kiện "
        "trên một key không bao giờ có mặt sẽ xử lý như khi thiếu key. Chỉ giữ lại nếu bạn biết chắc nó có "
        "tác dụng.",
    ),
    Rule(
        "unlisted-action",
        W,
        "actions",
        "Action missing from the AWS catalog",
        "Action không có trong catalog AWS",
        "AWS uses this action in its own managed policies, but the Service Authorization Reference does not "
        "list it, so nothing guarantees the service evaluates it. Keep it only if you know it works.",
        "AWS dùng action này trong chính các managed policy của mình, nhưng Service Authorization Reference "
        "không liệt kê nó, nên không có gì bảo đảm service thực sự kiểm tra nó. Chỉ giữ lại nếu bạn biết "
        "chắc "
        "nó có tác dụng.",
    ),
    Rule(
        "wildcard-matches-nothing",
        E,
        "actions",
        "Wildcard action matches nothing",
        "Action có wildcard không khớp action nào",
        "A wildcard action such as s3:Get*Bucketz matches no action of the service, so it grants nothing.",
        "Action có wildcard như s3:Get*Bucketz không khớp action nào của service, nên không cấp quyền gì.",
    ),
    # -- resources --------------------------------------------------------------------------------
    Rule(
        "malformed-arn",
        E,
        "resources",
        "Malformed ARN",
        "ARN sai định dạng",
        "An ARN has the form arn:partition:service:region:account:resource. A field is missing, or the "
        "partition or service is wrong.",
        "ARN có dạng arn:partition:service:region:account:resource. ARN này thiếu trường, hoặc sai partition "
        "hay service.",
    ),
    Rule(
        "invalid-account-id",
        E,
        "resources",
        "Invalid account ID",
        "Account ID không hợp lệ",
        "An AWS account ID is exactly 12 digits (keep leading zeros, and quote it as a string).",
        "AWS account ID gồm đúng 12 chữ số (giữ số 0 ở đầu, và viết trong dấu nháy như một chuỗi).",
    ),
    Rule(
        "resource-type-mismatch",
        E,
        "resources",
        "Resource of the wrong type for the actions",
        "Resource sai loại so với action",
        "The ARN names a resource of one type (a bucket, say) while every action of the statement acts on "
        "other types (objects), so the pair grants nothing. Classic "
        "case: s3:ListBucket needs the bucket ARN arn:aws:s3:::bucket, s3:GetObject the object ARN "
        "arn:aws:s3:::bucket/*. An error for services whose catalog entries are precise (S3, KMS, SQS, SNS, "
        "DynamoDB, Secrets Manager, Lambda); elsewhere the same problem is a resource-not-in-catalog "
        "warning.",
        "ARN chỉ tới một loại resource (ví dụ bucket) trong khi mọi action của statement áp dụng cho loại "
        "khác (object), nên cặp action/resource không cấp quyền gì. Ví dụ "
        "kinh điển: s3:ListBucket cần ARN của bucket arn:aws:s3:::bucket, còn s3:GetObject cần ARN của "
        "object "
        "arn:aws:s3:::bucket/*. Là lỗi (error) với các service có catalog chính xác (S3, KMS, SQS, SNS, "
        "DynamoDB, Secrets Manager, Lambda); với service khác, cùng vấn đề được báo là cảnh báo "
        "resource-not-in-catalog.",
    ),
    Rule(
        "resource-fits-no-action",
        W,
        "resources",
        "A resource of the statement fits none of its actions",
        "Một resource của statement không khớp action nào",
        "One ARN of the statement names a resource that none of the statement's actions acts on (a bucket "
        "ARN next to bucket/* for s3:GetObject, say), while other ARNs of the same statement fit. The "
        "statement still grants what it should through those; this entry grants nothing and only misleads "
        "the reader. A statement in which no resource fits is a resource-type-mismatch error instead.",
        "Một ARN của statement chỉ tới resource mà không action nào của statement áp dụng (ví dụ ARN của "
        "bucket đứng cạnh bucket/* cho s3:GetObject), trong khi các ARN khác của statement vẫn khớp. "
        "Statement vẫn cấp đúng quyền nhờ các ARN kia; ARN này không cấp gì và chỉ làm người đọc hiểu sai. "
        "Nếu không resource nào của statement khớp thì đó là lỗi resource-type-mismatch.",
    ),
    Rule(
        "resource-not-in-catalog",
        W,
        "resources",
        "Resource the catalog does not list for these actions",
        "Resource không có trong catalog cho các action này",
        "The AWS catalog lists no resource type of the statement's actions that this ARN can name. Either "
        "the ARN is wrong (the statement then grants nothing) or the catalog is incomplete for this service; "
        "check the ARN format in the Service Authorization Reference.",
        "Catalog của AWS không liệt kê loại resource nào của các action trong statement mà ARN này có thể "
        "chỉ tới. Hoặc ARN sai (khi đó statement không cấp quyền gì), hoặc catalog thiếu thông tin cho "
        "service "
        "này; hãy kiểm tra định dạng ARN trong Service Authorization Reference.",
    ),
    Rule(
        "action-resource-mismatch",
        W,
        "resources",
        "Action fits no resource of the statement",
        "Action không khớp resource nào của statement",
        "An action of the statement applies to none of the listed resources (while other actions do), so "
        "that action is granted nowhere. Add the resource ARN it needs or move it to its own statement.",
        "Một action của statement không áp dụng cho resource nào được liệt kê (trong khi action khác thì "
        "có), "
        "nên action đó không được cấp ở đâu cả. Thêm ARN mà action cần, hoặc tách nó sang statement riêng.",
    ),
    # -- principals -------------------------------------------------------------------------------
    Rule(
        "invalid-principal-key",
        E,
        "principals",
        "Invalid principal type",
        "Loại principal không hợp lệ",
        "The keys of Principal are AWS, Service, Federated and CanonicalUser, spelled exactly so.",
        "Các khoá của Principal là AWS, Service, Federated và CanonicalUser, viết đúng như vậy.",
    ),
    Rule(
        "invalid-principal",
        E,
        "principals",
        "Malformed principal",
        "Principal sai định dạng",
        'An AWS principal is "*", a 12-digit account ID, or the ARN of an account root, IAM user, IAM role, '
        "assumed-role session or federated user.",
        'Một AWS principal là "*", account ID 12 chữ số, hoặc ARN của account root, IAM user, IAM role, '
        "assumed-role session hay federated user.",
    ),
    Rule(
        "unique-id-principal",
        W,
        "principals",
        "Principal given as a unique ID",
        "Principal viết bằng unique ID",
        "A principal like AROA... is the unique ID IAM shows after the role or user it named was deleted. "
        "It no longer matches anyone; write the ARN of the current role or user.",
        "Principal dạng AROA... là unique ID mà IAM hiển thị sau khi role hoặc user được nêu đã bị xoá. Nó "
        "không còn khớp với ai; hãy viết ARN của role hoặc user hiện tại.",
    ),
    Rule(
        "invalid-service-principal",
        E,
        "principals",
        "Malformed service principal",
        "Service principal sai định dạng",
        "A service principal is a DNS-like name ending in .amazonaws.com (for example ec2.amazonaws.com), "
        'not a service prefix or ARN, and not "*".',
        "Service principal là một tên dạng DNS kết thúc bằng .amazonaws.com (ví dụ ec2.amazonaws.com), "
        'không phải service prefix hay ARN, và không phải "*".',
    ),
    Rule(
        "unknown-service-principal",
        W,
        "principals",
        "Unknown service principal",
        "Service principal lạ",
        "The service principal is well formed but names no service we know; check the spelling.",
        "Service principal đúng định dạng nhưng không ứng với service nào đã biết; hãy kiểm tra chính tả.",
    ),
    Rule(
        "invalid-federated-principal",
        E,
        "principals",
        "Malformed federated principal",
        "Federated principal sai định dạng",
        "A federated principal is the ARN of an IAM SAML or OIDC provider, or a web identity provider host "
        "such as cognito-identity.amazonaws.com.",
        "Federated principal là ARN của một SAML hoặc OIDC provider trong IAM, hoặc host của web identity "
        "provider như cognito-identity.amazonaws.com.",
    ),
    # -- conditions -------------------------------------------------------------------------------
    Rule(
        "unknown-condition-operator",
        E,
        "conditions",
        "Unknown condition operator",
        "Condition operator không tồn tại",
        "The condition operator does not exist (for example StringEqual instead of StringEquals).",
        "Condition operator không tồn tại (ví dụ StringEqual thay vì StringEquals).",
    ),
    Rule(
        "unknown-condition-key",
        E,
        "conditions",
        "Unknown condition key",
        "Condition key không tồn tại",
        "The condition key is neither a global key (aws:...) nor a key of the named service. A misspelt key "
        "is simply absent from the request, so the condition quietly fails (or, with IfExists, passes).",
        "Condition key không phải global key (aws:...) cũng không phải key của service được nêu. Key "
        "viết sai "
        "sẽ không có trong request, nên điều kiện âm thầm không thoả (hoặc, với IfExists, luôn thoả).",
    ),
    Rule(
        "missing-tag-key",
        E,
        "conditions",
        "Tag key missing in condition key",
        "Thiếu tag key trong condition key",
        "Keys such as aws:ResourceTag, aws:RequestTag and aws:PrincipalTag need the tag key after a slash: "
        "aws:ResourceTag/project.",
        "Các key như aws:ResourceTag, aws:RequestTag và aws:PrincipalTag cần tag key sau dấu gạch chéo: "
        "aws:ResourceTag/project.",
    ),
    Rule(
        "operator-type-mismatch",
        W,
        "conditions",
        "Operator does not fit the key's type",
        "Operator không hợp với kiểu của key",
        "The operator compares a different type than the key holds: IpAddress for aws:SourceIp, Bool for "
        "aws:SecureTransport, Arn* for ARN keys, Date* for dates, Numeric* for numbers.",
        "Operator so sánh một kiểu khác với kiểu của key: IpAddress cho aws:SourceIp, Bool cho "
        "aws:SecureTransport, Arn* cho key dạng ARN, Date* cho ngày giờ, Numeric* cho số.",
    ),
    Rule(
        "wildcard-without-like",
        W,
        "conditions",
        "Wildcard with an exact-match operator",
        "Wildcard dùng với operator so khớp chính xác",
        "A value contains * or ? but the operator compares exactly (StringEquals), so the wildcard is a "
        "literal character. Use StringLike (or ArnLike).",
        "Giá trị chứa * hoặc ? nhưng operator so sánh chính xác (StringEquals), nên wildcard chỉ là ký tự "
        "thường. Hãy dùng StringLike (hoặc ArnLike).",
    ),
    Rule(
        "forallvalues-single-valued",
        S,
        "conditions",
        "ForAllValues on a single-valued key",
        "ForAllValues trên key đơn trị",
        "ForAllValues is true when the key is absent, so with a single-valued key it lets requests through "
        "that lack the key. Use the plain operator (or ForAnyValue), or add a Null check.",
        "ForAllValues trả về true khi key vắng mặt, nên với key đơn trị nó cho qua cả những request không có "
        "key. Hãy dùng operator thường (hoặc ForAnyValue), hoặc thêm kiểm tra Null.",
    ),
    Rule(
        "multivalued-key-without-qualifier",
        W,
        "conditions",
        "Multivalued key without ForAllValues/ForAnyValue",
        "Key đa trị thiếu ForAllValues/ForAnyValue",
        "The key can hold several values (aws:TagKeys, aws:CalledVia ...); say how to compare them with "
        "ForAllValues: or ForAnyValue:.",
        "Key có thể chứa nhiều giá trị (aws:TagKeys, aws:CalledVia ...); hãy nói rõ cách so sánh bằng "
        "ForAllValues: hoặc ForAnyValue:.",
    ),
    Rule(
        "invalid-bool-value",
        E,
        "conditions",
        "Bool value is not true or false",
        "Giá trị Bool không phải true/false",
        'The Bool operator (and Null) takes "true" or "false"; anything else never matches.',
        'Operator Bool (và Null) nhận "true" hoặc "false"; giá trị khác không bao giờ khớp.',
    ),
    Rule(
        "invalid-condition-value",
        E,
        "conditions",
        "Condition value does not fit the operator",
        "Giá trị condition không hợp với operator",
        "The value cannot be read by the operator: an IpAddress value that is not an IP or CIDR range, a "
        "Numeric value that is not a number, a Date value that is not a date.",
        "Operator không đọc được giá trị: giá trị IpAddress không phải IP hay dải CIDR, giá trị Numeric "
        "không "
        "phải số, giá trị Date không phải ngày giờ.",
    ),
    Rule(
        "null-with-ifexists",
        E,
        "conditions",
        "Null with IfExists",
        "Null dùng với IfExists",
        "Null already tests whether the key exists; NullIfExists is not an operator.",
        "Null vốn đã kiểm tra key có tồn tại hay không; NullIfExists không phải là operator.",
    ),
    Rule(
        "mfa-bool-false",
        W,
        "conditions",
        "aws:MultiFactorAuthPresent compared with Bool false",
        "So sánh aws:MultiFactorAuthPresent với Bool false",
        'aws:MultiFactorAuthPresent is absent (not false) for long-term access keys, so {"Bool": '
        '{"aws:MultiFactorAuthPresent": "false"}} misses them. Use BoolIfExists with false, or Null.',
        "aws:MultiFactorAuthPresent vắng mặt (chứ không phải false) khi dùng access key dài hạn, nên "
        '{"Bool": {"aws:MultiFactorAuthPresent": "false"}} bỏ sót chúng. Hãy dùng BoolIfExists với '
        "false, hoặc Null.",
    ),
    # -- kind rules -------------------------------------------------------------------------------
    Rule(
        "missing-principal",
        E,
        "kind",
        "Principal missing",
        "Thiếu Principal",
        "Resource policies (key policies, bucket policies) and trust policies must say who they apply to "
        "with Principal.",
        "Resource policy (key policy, bucket policy) và trust policy phải nêu rõ áp dụng cho ai bằng "
        "Principal.",
    ),
    Rule(
        "principal-not-allowed",
        E,
        "kind",
        "Principal in an identity policy or SCP",
        "Principal trong identity policy hoặc SCP",
        "An identity policy or SCP applies to the identities it is attached to; it has no Principal. If the "
        "file is a resource policy, name it *.key-policy.json, *.bucket-policy.json or *.trust-policy.json.",
        "Identity policy hoặc SCP áp dụng cho chính identity được gắn; nó không có Principal. Nếu tệp là "
        "resource policy, hãy đặt tên *.key-policy.json, *.bucket-policy.json hoặc *.trust-policy.json.",
    ),
    Rule(
        "resource-in-trust-policy",
        E,
        "kind",
        "Resource in a trust policy",
        "Resource trong trust policy",
        "A role trust policy's resource is the role itself; IAM rejects Resource and NotResource there.",
        "Resource của trust policy chính là role; IAM từ chối Resource và NotResource trong trust policy.",
    ),
    Rule(
        "notprincipal-in-trust-policy",
        E,
        "kind",
        "NotPrincipal in a trust policy",
        "NotPrincipal trong trust policy",
        "Role trust policies do not support NotPrincipal; name the principals that may assume the role.",
        "Trust policy của role không hỗ trợ NotPrincipal; hãy nêu rõ các principal được assume role.",
    ),
    Rule(
        "key-policy-resource",
        E,
        "kind",
        'Key policy Resource is not "*"',
        'Resource của key policy khác "*"',
        'In a key policy, the Resource is "*", which means "this KMS key" (AWS KMS documentation, key '
        "policies). Any other value can only name the same key again, or nothing at all: another key's ARN "
        "or an alias ARN makes the statement grant nothing.",
        'Trong key policy, Resource là "*", nghĩa là "chính KMS key này" (tài liệu AWS KMS về key policy). '
        "Giá trị khác chỉ có thể nêu lại chính key đó, hoặc không nêu gì cả: ARN của key khác hay ARN của "
        "alias khiến statement không cấp quyền gì.",
    ),
    Rule(
        "action-not-for-this-resource",
        E,
        "kind",
        "Action of another service in a resource policy",
        "Action của service khác trong resource policy",
        "A key policy only controls kms: actions, a bucket policy s3: actions, a trust policy sts: actions. "
        "Other actions are ignored there; grant them in an identity policy.",
        "Key policy chỉ kiểm soát action kms:, bucket policy chỉ s3:, trust policy chỉ sts:. Action khác bị "
        "bỏ qua ở đó; hãy cấp chúng trong identity policy.",
    ),
    Rule(
        "bucket-policy-other-bucket",
        E,
        "kind",
        "Bucket policy names another bucket",
        "Bucket policy nêu bucket khác",
        "A bucket policy can only name its own bucket (arn:aws:s3:::bucket) and its objects "
        "(arn:aws:s3:::bucket/...). S3 rejects the policy otherwise.",
        "Bucket policy chỉ được nêu chính bucket của nó (arn:aws:s3:::bucket) và các object "
        "(arn:aws:s3:::bucket/...). S3 sẽ từ chối policy nếu khác.",
    ),
    Rule(
        "key-policy-lockout",
        E,
        "kind",
        "Key policy locks its account out",
        "Key policy khoá account ngoài",
        "No statement lets the key's own account (its root principal) or an administrator change the key "
        "policy (kms:PutKeyPolicy). Nobody could fix the policy later; KMS refuses it unless the lockout "
        "safety check is bypassed.",
        "Không statement nào cho account sở hữu key (principal root) hay một quản trị viên đổi key policy "
        "(kms:PutKeyPolicy). Sau này không ai sửa được policy; KMS từ chối policy trừ khi bỏ qua lockout "
        "safety check.",
    ),
    Rule(
        "trust-action-mismatch",
        E,
        "kind",
        "Federated principal with the wrong sts action",
        "Federated principal dùng sai action sts",
        "A SAML provider is assumed with sts:AssumeRoleWithSAML, an OIDC provider with "
        "sts:AssumeRoleWithWebIdentity; any other action never applies to them.",
        "SAML provider dùng sts:AssumeRoleWithSAML, OIDC provider dùng sts:AssumeRoleWithWebIdentity; action "
        "khác không bao giờ áp dụng cho chúng.",
    ),
    Rule(
        "oidc-without-subject",
        S,
        "kind",
        "OIDC trust without a subject condition",
        "Trust OIDC thiếu điều kiện subject",
        "A trust policy for GitHub Actions (token.actions.githubusercontent.com) must restrict the :sub "
        "claim "
        "to your repository; without it any GitHub repository can assume the role.",
        "Trust policy cho GitHub Actions (token.actions.githubusercontent.com) phải giới hạn claim :sub vào "
        "repository của bạn; nếu không, bất kỳ repository GitHub nào cũng assume được role.",
    ),
    # -- security ---------------------------------------------------------------------------------
    Rule(
        "allow-with-notprincipal",
        S,
        "security",
        "Allow with NotPrincipal",
        "Allow với NotPrincipal",
        "Allow with NotPrincipal grants access to everyone except the listed principals, including anonymous "
        "users. Name the principals to allow instead.",
        "Allow với NotPrincipal cấp quyền cho tất cả mọi người trừ các principal được liệt kê, kể cả người "
        "dùng ẩn danh. Hãy nêu rõ các principal được phép.",
    ),
    Rule(
        "allow-with-notresource",
        S,
        "security",
        "Allow with NotResource",
        "Allow với NotResource",
        "Allow with NotResource grants the actions on every resource except the listed ones, including "
        "resources created later. List the resources to allow instead.",
        "Allow với NotResource cấp các action trên mọi resource trừ những cái được liệt kê, kể cả resource "
        "tạo sau này. Hãy liệt kê các resource được phép.",
    ),
    Rule(
        "passrole-star",
        S,
        "security",
        "iam:PassRole on every role",
        "iam:PassRole trên mọi role",
        'iam:PassRole with Resource "*" lets the holder give any role, including admin roles, to a '
        "service they control: a privilege escalation. Name the roles, and add iam:PassedToService.",
        'iam:PassRole với Resource "*" cho phép trao bất kỳ role nào, kể cả role admin, cho service mà người '
        "đó điều khiển: leo thang đặc quyền. Hãy nêu rõ role, và thêm iam:PassedToService.",
    ),
    Rule(
        "full-wildcard",
        S,
        "security",
        "Every action on every resource",
        "Mọi action trên mọi resource",
        'Allow with Action "*" and Resource "*" is full administrator access. Grant the actions needed.',
        'Allow với Action "*" và Resource "*" là quyền quản trị toàn phần. Chỉ cấp các action cần thiết.',
    ),
    Rule(
        "public-principal",
        S,
        "security",
        'Principal "*" without a narrowing condition',
        'Principal "*" không có điều kiện thu hẹp',
        'Allow to Principal "*" (or {"AWS": "*"}) opens the resource to every AWS account and anonymous '
        "caller. Narrow it with a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount, "
        "aws:SourceArn, aws:SourceVpce, kms:CallerAccount or similar.",
        'Allow cho Principal "*" (hoặc {"AWS": "*"}) mở resource cho mọi AWS account và cả người gọi ẩn '
        "danh. Hãy thu hẹp bằng điều kiện trên aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount, "
        "aws:SourceArn, aws:SourceVpce, kms:CallerAccount hoặc tương tự.",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

#: Where the rule reference is published, relative to the site root (anchor = the code).
RULES_PAGE = "reference/rules/"


#: Where the site is published (GitHub Pages, deployed by .github/workflows/docs.yml). Findings
#: link here from JSON and SARIF output, so a user's report never points at someone's localhost.
PUBLISHED_SITE_URL = "https://policyproof.github.io/aws-security-notes/"


def site_url() -> str:
    """The site's base URL: ``SITE_URL`` as the deploy sets it for MkDocs (a fork publishing its own
    site), else the published site. A loopback ``SITE_URL`` (a local build or test server) is
    ignored: links in reports must work for whoever reads them."""
    url = os.environ.get("SITE_URL", "").strip()
    host = urlsplit(url).hostname or ""
    if not url or host in ("localhost", "::1") or host.startswith("127."):
        url = PUBLISHED_SITE_URL
    return url if url.endswith("/") else url + "/"


def help_url(code: str, lang: str = "en") -> str:
    """Link to the rule's entry on the site (English by default; Vietnamese is the site root)."""
    prefix = "en/" if lang == "en" else ""
    return f"{site_url()}{prefix}{RULES_PAGE}#{code}"


def make_finding(file: str, line: int, column: int, code: str, message: str) -> Finding:
    """A finding whose severity is the registered one for ``code`` (unknown codes are a bug)."""
    return Finding(file, line, column, code, RULES_BY_CODE[code].severity, message)
