"""Report formats: each a pure function (result, rules) -> str, in one registry. A format's module
is imported when it is used, so a run pays only for the report it writes."""

from importlib import import_module

FORMATS = {
    "text": "sslint.report.text",
    "json": "sslint.report.json_report",
    "sarif": "sslint.report.sarif",
    "github": "sslint.report.github",
    "gitlab": "sslint.report.gitlab",
    "junit": "sslint.report.junit",
}


def render(name: str, result, rules, *, color: bool = False) -> str:
    return import_module(FORMATS[name]).render(result, rules, color=color)
