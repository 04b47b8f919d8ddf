"""`--statistics`: how many findings each rule produced, most frequent first."""

from __future__ import annotations

from collections import Counter


def render(result) -> str:
    shown = Counter(f.rule.id for f in result.findings if not f.suppression)
    suppressed = Counter(f.rule.id for f in result.findings if f.suppression)
    if not shown and not suppressed:
        return "Statistics: no findings.\n"
    rules = {f.rule.id: f.rule for f in result.findings}
    order = sorted(rules, key=lambda rule_id: (-shown[rule_id], rule_id))
    width = max(len(rules[rule_id].name) for rule_id in order)
    digits = len(str(max(shown.values(), default=0)))
    lines = ["Statistics (findings per rule):"]
    for rule_id in order:
        line = f"{rule_id}  {rules[rule_id].name:<{width}}  {shown[rule_id]:>{digits}}"
        if suppressed[rule_id]:
            line += f"  (+{suppressed[rule_id]} suppressed)"
        lines.append(line)
    return "\n".join(lines) + "\n"
