"""An invoice under validation and the rules that decide it."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Facts:
    """What the pipeline learned about one document; None while that step has not reported."""
    extraction_failure: str | None = None
    seal_failure: str | None = None
    extracted: bool = False
    sealed: bool = False

    @property
    def complete(self) -> bool:
        return self.extracted and self.sealed


@dataclass(frozen=True)
class Decision:
    accepted: bool
    checks_passed: tuple[str, ...]
    reasons: tuple[str, ...]


def decide(facts: Facts) -> Decision:
    reasons = []
    passed = []
    if facts.extraction_failure:
        reasons.append(f"unreadable: {facts.extraction_failure}")
    else:
        passed.append("readable")
    if facts.seal_failure:
        reasons.append(f"not sealed: {facts.seal_failure}")
    else:
        passed.append("sealed")
    return Decision(accepted=not reasons, checks_passed=tuple(passed), reasons=tuple(reasons))
