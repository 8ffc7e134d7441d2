"""What the service reads off a path or an address is what the browser and the UI server
will do with it (found in review: a '..' segment turned a query into a workflow start at
the UI server; a tab made '/<tab>/evil.example' another site after single sign-on)."""

from __future__ import annotations

import pytest

from service.auth import ID_TOKEN_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, safe_next
from service.ui_proxy import OWN_COOKIES, is_write, plain_path


@pytest.mark.parametrize(
    ("path", "plain"),
    [
        ("/ui", True),
        ("/ui/", True),
        ("/ui/namespaces/default/workflows/case-WC-7M2K9Q4XTB/query/__stack_trace", True),
        ("/ui/api/v1/namespaces/default/workflows/wf1/query/..", False),
        ("/ui/api/v1/namespaces/default/workflows/wf1/query/.", False),
        ("/ui/api/v1//namespaces", False),
    ],
)
def test_only_plain_paths_pass_the_proxy(path: str, plain: bool) -> None:
    assert plain_path(path) is plain


def test_a_query_reads_and_anything_else_writes() -> None:
    assert not is_write("POST", "/ui/api/v1/namespaces/default/workflows/wf1/query/status")
    assert is_write("POST", "/ui/api/v1/namespaces/default/workflows/wf1")  # a start, in the HTTP API
    assert is_write("POST", "/ui/api/v1/namespaces/default/workflows/wf1/terminate")


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/ui/namespaces/default/workflows", True),
        ("/tokens", True),
        ("//evil.example", False),
        ("/\t/evil.example", False),
        ("/\n/evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example", False),
    ],
)
def test_a_next_address_stays_on_this_service(target: str, kept: bool) -> None:
    assert (safe_next(target) == target) is kept


def test_the_services_own_cookies_never_go_upstream() -> None:
    assert {SESSION_COOKIE, LOGIN_COOKIE, ID_TOKEN_COOKIE} <= set(OWN_COOKIES)
