"""What a native rendering cannot carry, as an RFC 6902 JSON Patch, so that every round trip is lossless.

Neither HI-1 nor the RI forms have a place for every member of the broker's certificate, and some
places cannot hold every value (a timestamp with fractional seconds, a phone number that is not
E.164, text with characters XML 1.0 forbids). The mapping therefore renders natively what each side
can express exactly, reads the rendering back, and keeps the difference between that reading and the
certificate as a patch (`add`, `replace` and `remove` operations on JSON Pointers, RFC 6901). Import
reads the native elements and applies the patch: the certificate comes back member for member, and
the patch names exactly what the other side could not say (docs/etsi.md lists it field by field).
"""

import json
from typing import Any

Patch = list[dict[str, Any]]


def diff(source: Any, target: Any, at: str = "") -> Patch:
    """The operations that turn `source` into `target`; lists that differ are replaced whole."""
    if isinstance(source, dict) and isinstance(target, dict):
        operations: Patch = []
        for key in target:
            where = f"{at}/{_escape(key)}"
            if key not in source:
                operations.append({"op": "add", "path": where, "value": target[key]})
            else:
                operations += diff(source[key], target[key], where)
        operations += [{"op": "remove", "path": f"{at}/{_escape(k)}"} for k in source if k not in target]
        return operations
    if _same(source, target):
        return []
    return [{"op": "replace", "path": at, "value": target}]


def apply(document: dict[str, Any], operations: Patch) -> dict[str, Any]:
    """`document` with `operations` applied; raises ValueError for an operation this module never writes."""
    result: Any = _copy(document)
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in ("add", "replace", "remove"):
            raise ValueError(f"not an add, replace or remove operation: {operation!r}")
        tokens = [_unescape(token) for token in str(operation.get("path", "")).split("/")[1:]]
        if not tokens:
            result = _copy(operation["value"])
            continue
        parent = result
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent.setdefault(token, {})
        last = tokens[-1]
        if operation["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif isinstance(parent, list):
            parent[int(last)] = _copy(operation["value"])
        else:
            parent[last] = _copy(operation["value"])
    if not isinstance(result, dict):
        raise ValueError("the patch does not leave a JSON object")
    return result


def _same(a: Any, b: Any) -> bool:
    # JSON has one true, not 1: compare as JSON, which keeps bool and int apart where == would not.
    return type(a) is type(b) and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")
