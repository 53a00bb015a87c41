"""What podpub deploy prints: per destination, what it uploaded (or would), deleted, kept."""

from __future__ import annotations

from podpub.deploy.run import DeployResult, Step


def summary(result: DeployResult, dry_run: bool, quiet: bool) -> list[str]:
    lines: list[str] = []
    for step in result.steps:
        if dry_run and not quiet:
            lines += _listing(step)
        lines.append(_counts(step, dry_run))
    lines += [f"Note: {note}" for note in result.notes]
    if dry_run:
        lines.append("Dry run: nothing was uploaded or deleted.")
    return lines


def _listing(step: Step) -> list[str]:
    where = step.target.name.rstrip("/")
    lines = [
        f"  upload {where}/{f.rel} ({f.content_type}, {f.cache_control}, {_size(f.size)})"
        for f in step.plan.uploads
    ]
    lines += [f"  delete {where}/{rel}" for rel in step.plan.deletions]
    lines += [f"  keep {where}/{rel} (published.lock lists it)" for rel in step.plan.kept]
    return lines


def _counts(step: Step, dry_run: bool) -> str:
    plan = step.plan
    size = sum(f.size for f in plan.uploads)
    verb = ("would upload", "would delete") if dry_run else ("uploaded", "deleted")
    text = (
        f"{step.role.capitalize()} → {step.target.name}: {verb[0]} {_n(len(plan.uploads))} "
        f"({_size(size)}), {verb[1]} {len(plan.deletions)}, {plan.unchanged} unchanged"
    )
    if plan.kept:
        text += f", {len(plan.kept)} kept (published.lock lists them)"
    return text + "."


def _n(count: int) -> str:
    return f"{count} file{'s' * (count != 1)}"


def _size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    return f"{size} B"
