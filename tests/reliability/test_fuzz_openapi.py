"""Fuzz every operation of the app's own OpenAPI document, anonymously and as each role.

No response may be a 5xx; every 4xx carries the JSON error shape {"error": {"code", "message", "field"}}
(the /open311 routes answer in the GeoReport v2 error format instead, so only the no-5xx rule holds there).
Examples are bounded and derandomized so the run is short and the same on every machine.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from gis.access import ROLE_CODES
from tests.conftest import DEMO_TEMPLATE, _fresh
from tests.reliability.conftest import make_role_tokens

MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def fuzz_db(cluster) -> Iterator[str]:
    """One demo database for the whole fuzz run (the fuzzer's writes land there and are dropped after)."""
    yield from _fresh(cluster, DEMO_TEMPLATE)


@pytest.fixture(scope="module")
def fuzz_app(fuzz_db: str):
    from api.app import create_app

    app = create_app(fuzz_db)
    yield app
    app.state.database.close()


@pytest.fixture(scope="module")
def identities(fuzz_db: str) -> list[tuple[str, dict]]:
    """Anonymous first, then a bearer token of every role."""
    tokens = make_role_tokens(fuzz_db, prefix="fuzz")
    return [("anonymous", {})] + [(role, {"Authorization": f"Bearer {tokens[role]}"}) for role in ROLE_CODES]


def _fuzz(operation, identities: list[tuple[str, dict]], problems: list[str]) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(case=operation.as_strategy())
    def examples(case) -> None:
        for who, headers in identities:
            try:
                response = case.call(headers={**(case.headers or {}), **headers})
            except Exception as exc:  # the test client re-raises what the app turned into a 500
                problems.append(
                    f"{case.method} {case.formatted_path} as {who}: 500 {type(exc).__name__}: {exc}"[:300]
                )
                continue
            where = f"{case.method} {case.formatted_path} {case.query or ''} as {who}: {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where} {response.text[:200]}")
            elif 400 <= response.status_code < 500 and not case.path.startswith("/open311"):
                body = response.json() if "json" in response.headers.get("content-type", [""])[0] else None
                if not (
                    isinstance(body, dict) and {"code", "message", "field"} <= set(body.get("error") or {})
                ):
                    problems.append(f"{where}: not the error shape: {response.text[:200]}")

    examples()


def test_no_5xx_and_errors_in_one_shape(fuzz_app, identities):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    problems: list[str] = []
    operations = 0
    for found in schema.get_all_operations():
        _fuzz(found.ok(), identities, problems)
        operations += 1
    assert operations > 20
    assert not problems, "\n".join(sorted(set(problems))[:40])
