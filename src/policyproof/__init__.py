"""policyproof: check AWS policy documents and prove what they allow.

One library does all checking; pytest, the MkDocs hooks and the command line are thin callers.
"""

__version__ = "0.1.0"
