"""The checker: strict JSON with positions, JSON Schema per policy kind, rules against the AWS catalog,
findings and SARIF. Its door is :func:`policyproof.check.checker.check_text` / ``check_path``."""
