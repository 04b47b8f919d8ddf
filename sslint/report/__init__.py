"""Report formats: each a pure function (result, rules) -> str, in one registry."""

from sslint.report import github, gitlab, json_report, junit, sarif, text

FORMATS = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}
