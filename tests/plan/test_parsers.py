"""Declared structures: headers in any case, Cookie strings and query strings parsed so rules can name their parts."""

from __future__ import annotations

from scrubber import Scrubber


def test_headers_match_any_case_and_cookie_strings_parse(tmp_path, test_key):
    catalogue = tmp_path / "c.yaml"
    catalogue.write_text("""
catalogue: t
structures:
  headers: {case_insensitive: true}
  cookies: {parse: cookie_header}
  url: {parse: query_string}
rules:
  - {field: headers.x-request-id, op: keep}
  - {field: headers.x-msisdn, op: drop}
  - {field: cookies.theme, op: keep}
  - {field: 'cookies._pk_*', op: drop}
  - {field: url.page, op: keep}
  - {field: 'url.utm_*', op: drop}
""")
    scrubber = Scrubber.from_catalogue(catalogue, key=test_key)
    out = scrubber.scrub(
        {
            "headers": {"X-Request-ID": "r1", "X-MSISDN": "+4915123456789", "Cookie": "a=b"},
            "cookies": "theme=dark; _pk_id.1.abc=zz; _ga=GA1",
            "url": "https://x.example/p?page=2&utm_source=mail&gclid=1",
        }
    )
    assert out == {"headers": {"x-request-id": "r1"}, "cookies": {"theme": "dark"}, "url": {"page": "2"}}
    counts = dict(zip((r.field for r in scrubber.catalogue.model.rules), scrubber.stats.applied, strict=True))
    assert counts["headers.x-msisdn"] == 1 and counts["cookies._pk_*"] == 1 and counts["url.utm_*"] == 1
    assert scrubber.stats.unknown == {"headers": 1, "cookies": 1, "url": 1}
