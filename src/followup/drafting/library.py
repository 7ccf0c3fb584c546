"""The approved template library: files, headers, approval lock, status and selection.

A template is one file, `<campaign>/<id>.j2`: a YAML header between `---` lines,
then the Jinja body. The shipped library lives in the package; a workspace's
`templates/` adds templates and overrides shipped ones with the same id.
Approval is recorded per library in `approvals.json` (`followup.drafting.approval_log`):
the sha256 of the file, who approved it and when, and the approved content (for `diff`);
approving and revoking are `followup.drafting.approvals`. Drafting uses only templates
whose current hash is the approved one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from followup.campaigns import CHANNELS, CampaignName, ChannelName
from followup.data.reasons import LOSS_REASONS
from followup.drafting.approval_log import Approval, read_log
from followup.errors import TemplateError, UsageError

SUFFIX = ".j2"
SHIPPED_LANGUAGES = ("en", "es", "de", "fr", "pt", "zh")
FALLBACK_LANGUAGE = "en"

Status = Literal["approved", "modified", "unapproved", "invalid"]
#: the parts of an approved template an LLM may rewrite (`regions:` in the header; the
#: body marks each but the subject with `{% block NAME %}...{% endblock %}`)
Region = Literal["subject", "opening", "answer", "closing"]


class TemplateHeader(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    campaign: CampaignName
    channel: ChannelName
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    segments: list[str] = []
    loss_reasons: list[str] = []
    #: what an LLM may rewrite: the subject, and the body's `{% block NAME %}` regions
    regions: list[Region] = []
    subject: str | None = None
    description: str = ""
    #: 1: the first message; 2 (3 ...): the follow-up to an unanswered one (`previous`)
    touch: int = Field(default=1, ge=1, le=5)

    @field_validator("loss_reasons")
    @classmethod
    def _known_reasons(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in LOSS_REASONS]
        if unknown:
            raise ValueError(f"unknown reason {unknown[0]!r} (use {', '.join(LOSS_REASONS)})")
        return value

    @field_validator("segments")
    @classmethod
    def _known_segments(cls, value: list[str]) -> list[str]:
        from followup.analysis.segments import SCHEMES, all_segments

        known = {s for scheme in SCHEMES for s in all_segments(scheme)}
        unknown = [s for s in value if s not in known]
        if unknown:
            raise ValueError(f"unknown segment {unknown[0]!r}")
        return value

    @model_validator(mode="after")
    def _subject_for_email_only(self) -> TemplateHeader:
        has_subject = CHANNELS[self.channel].has_subject
        if has_subject and not (self.subject or "").strip():
            raise ValueError(f"{CHANNELS[self.channel].phrase} template needs a subject")
        if not has_subject and self.subject:
            raise ValueError(f"{CHANNELS[self.channel].phrase} template has no subject")
        if "subject" in self.regions and not has_subject:
            raise ValueError("regions: subject, but the channel has no subject")
        if len(set(self.regions)) != len(self.regions):
            raise ValueError("regions: a region is listed twice")
        return self


@dataclass
class TemplateFile:
    """One template file; `problem` says why it is invalid (the syntax is checked lazily)."""

    path: Path
    source: str  # "shipped" or "workspace"
    text: str
    header: TemplateHeader | None = None
    body: str = ""
    header_problem: str | None = None

    @cached_property
    def problem(self) -> str | None:
        """Why the template cannot be used: its header, or (compiled on first ask) its body."""
        return self.header_problem or _syntax_problem(self)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        return self.header.id if self.header else self.path.stem


def parse_template(path: Path, source: str) -> TemplateFile:
    """Read a template file; never raises for a broken file (it is marked invalid)."""
    import yaml

    from followup.files import load_yaml
    from followup.settings import describe_validation

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return TemplateFile(path, source, "", header_problem=f"cannot read it ({exc})")
    item = TemplateFile(path, source, text)
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n?(.*)$", text, re.DOTALL)
    if not match:
        item.header_problem = (
            "no header: the file must start with a `---` block (id, campaign, ...)"
        )
        return item
    try:
        data = load_yaml(match.group(1)) or {}
        item.header = TemplateHeader.model_validate(data)
    except yaml.YAMLError as exc:
        item.header_problem = f"header is not valid YAML ({exc})"
    except ValidationError as exc:
        item.header_problem = f"header {describe_validation(exc)}"
    else:
        item.body = match.group(2)
        if item.header.id != path.stem:
            item.header_problem = (
                f"header id {item.header.id!r} differs from the file name {path.stem!r}"
            )
    return item


def _syntax_problem(item: TemplateFile) -> str | None:
    from followup.drafting.sandbox import compile_template

    assert item.header is not None
    try:
        compile_template(item.body, item.header.language, item.id)
        if item.header.subject:
            compile_template(item.header.subject, item.header.language, f"{item.id} subject")
    except TemplateError as exc:
        return str(exc)
    return None


def shipped_root() -> Path:
    """The library inside the installed package (or the repo's `templates/` when editable)."""
    from importlib.resources import files

    packaged = Path(str(files("followup"))) / "_library" / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


@dataclass
class Library:
    """The templates a workspace can use, with their approval records."""

    templates: dict[str, TemplateFile]
    approvals: dict[str, dict[str, Approval]]  # source -> id -> approval
    roots: dict[str, Path]
    revoked: dict[str, dict[str, str]] = field(default_factory=dict)
    #: shipped templates a workspace file of the same id overrides (id -> the shipped one)
    hidden: dict[str, TemplateFile] = field(default_factory=dict)

    def status(self, item: TemplateFile) -> Status:
        if item.problem:
            return "invalid"
        return self._approval_status(item)

    def _approval_status(self, item: TemplateFile) -> Status:
        approval = self.approval(item)
        if approval is None:
            return "unapproved"
        return "approved" if approval.sha256 == item.sha256 else "modified"

    def approval(self, item: TemplateFile) -> Approval | None:
        """The workspace's approval of this id, else the shipped one (unless revoked here)."""
        if item.id in self.revoked:
            return None
        approval = self.approvals.get("workspace", {}).get(item.id)
        if approval is None and item.source == "shipped":
            approval = self.approvals.get("shipped", {}).get(item.id)
        return approval

    def shipped(self, template_id: str) -> TemplateFile | None:
        """The shipped template of this id, whether or not a workspace file overrides it."""
        found = self.hidden.get(template_id) or self.templates.get(template_id)
        return found if found is not None and found.source == "shipped" else None

    def shipped_approval(self, template_id: str) -> Approval | None:
        """The shipped library's approval of this id, when it matches the shipped file."""
        item = self.shipped(template_id)
        approval = self.approvals.get("shipped", {}).get(template_id)
        if item is None or approval is None or approval.sha256 != item.sha256:
            return None
        return approval

    def hides_approved(self, item: TemplateFile) -> bool:
        """Whether `item` is a workspace file that is not approved and hides a shipped
        template that is (and that this workspace has not revoked)."""
        return (
            item.source == "workspace"
            and item.id in self.hidden
            and item.id not in self.revoked
            and self.status(item) != "approved"
            and self.shipped_approval(item.id) is not None
        )

    def listing(
        self,
        *,
        campaign: str | None = None,
        language: str | None = None,
        statuses: Collection[str] = (),
    ) -> list[TemplateFile]:
        """The templates by id, of one campaign, one language (`pt` includes `pt-BR`) and
        some statuses, when asked; a template whose header is invalid has no campaign or
        language, so only a status filter lists it."""
        found = []
        for item in sorted(self.templates.values(), key=lambda t: t.id):
            header = item.header
            if campaign is not None and (header is None or header.campaign != campaign):
                continue
            if language is not None and (header is None or not _in_language(header, language)):
                continue
            if statuses and self.status(item) not in statuses:
                continue
            found.append(item)
        return found

    def get(self, template_id: str) -> TemplateFile:
        try:
            return self.templates[template_id]
        except KeyError:
            raise UsageError(
                f"no template {template_id!r}: `followup templates list` shows them"
            ) from None

    def usable(self, *, allow_unapproved: bool = False) -> list[TemplateFile]:
        """Templates that may draft: approved as they are now (or any, when allowed).

        A body that does not compile is found when it is first used, not here: listing
        the usable ones must not compile the whole library.
        """
        wanted = {"approved", "modified", "unapproved"} if allow_unapproved else {"approved"}
        return [
            t
            for t in self.templates.values()
            if not t.header_problem and self._approval_status(t) in wanted
        ]


def _in_language(header: TemplateHeader, language: str) -> bool:
    tag, wanted = header.language.lower(), language.lower()
    return tag == wanted or tag.startswith(f"{wanted}-")


def load_library(workspace_root: Path | None) -> Library:
    """Shipped templates, overridden by the workspace's `templates/` (same id; the folder
    is made when an approval or a copy is first recorded)."""
    roots = {"shipped": shipped_root()}
    if workspace_root is not None:
        roots["workspace"] = workspace_root / "templates"
    templates: dict[str, TemplateFile] = {}
    hidden: dict[str, TemplateFile] = {}
    approvals: dict[str, dict[str, Approval]] = {}
    revoked: dict[str, dict[str, str]] = {}
    for source, root in roots.items():
        for path in sorted(root.rglob(f"*{SUFFIX}")) if root.is_dir() else ():
            item = parse_template(path, source)
            overridden = templates.get(item.id)
            if overridden is not None and overridden.source != source:
                hidden[item.id] = overridden
            templates[item.id] = item
        log = read_log(root)
        approvals[source] = log.approvals
        if source == "workspace":
            revoked = log.revoked
    return Library(templates, approvals, roots, revoked, hidden)


@dataclass(frozen=True)
class Choice:
    template: TemplateFile
    language_fallback: bool  # the customer's language had no template: English was used


def language_candidates(language: str) -> list[str]:
    """`pt-BR` -> [`pt-BR`, `pt`, `en`]: exact tag, base language, then English."""
    tags = [language]
    base = language.split("-", maxsplit=1)[0]
    if base != language:
        tags.append(base)
    if FALLBACK_LANGUAGE not in tags:
        tags.append(FALLBACK_LANGUAGE)
    return tags


def select(
    candidates: list[TemplateFile],
    *,
    campaign: str,
    channel: str,
    language: str,
    reason: str | None,
    segments: tuple[str, ...],
    touch: int = 1,
) -> Choice | None:
    """The best template for a draft, or None.

    Order: campaign, channel and touch must match; then language (exact tag, base language,
    English — flagged as a fallback); then, among those, a template for the customer's
    loss reason beats a general one, and one for its segment beats a general one;
    ties go to the smallest id (deterministic).
    """
    fitting = [
        t
        for t in candidates
        if t.header is not None
        and t.header.campaign == campaign
        and t.header.channel == channel
        and t.header.touch == touch
        and (not t.header.segments or set(t.header.segments) & set(segments))
        and (not t.header.loss_reasons or (reason in t.header.loss_reasons))
    ]
    for tag in language_candidates(language):
        in_language = [t for t in fitting if t.header and t.header.language.lower() == tag.lower()]
        if in_language:
            best = min(in_language, key=lambda t: (_generality(t), t.id))
            return Choice(
                best, language_fallback=tag.split("-")[0] != language.split("-", maxsplit=1)[0]
            )
    return None


def _generality(item: TemplateFile) -> tuple[int, int]:
    assert item.header is not None
    return (0 if item.header.loss_reasons else 1, 0 if item.header.segments else 1)


_SKELETON = """---
id: {id}
campaign: {campaign}
channel: {channel}
language: {language}
segments: []
loss_reasons: [{reasons}]
{subject}description: {description}
---
{greeting}

{text} Every figure, date and claim must come from a variable: see docs/templates.md.)

{closing}
"""


def new_template(
    root: Path, template_id: str, *, campaign: str, channel: str, language: str, reasons: list[str]
) -> Path:
    """Write a skeleton template into a workspace's `templates/<campaign>/`."""
    path = root / "templates" / campaign / f"{template_id}{SUFFIX}"
    if path.exists():
        raise UsageError(f"{path} exists already: edit it, or pick another id")
    known = CHANNELS.get(channel)
    TemplateHeader.model_validate(  # a bad id, language or reason fails here, before writing
        {
            "id": template_id,
            "campaign": campaign,
            "channel": channel,
            "language": language,
            "loss_reasons": reasons,
            "subject": "x" if known is None or known.has_subject else None,
        }
    )
    from followup.drafting.checks import SKELETON_MARKERS

    subject_max = CHANNELS[channel].subject_max
    subject_mark, text_mark, description_mark = SKELETON_MARKERS
    text = _SKELETON.format(
        id=template_id,
        campaign=campaign,
        channel=channel,
        language=language,
        reasons=", ".join(reasons),
        subject=f'subject: "{subject_mark} {subject_max} characters) — {{{{ company.name }}}}"\n'
        if subject_max is not None
        else "",
        description=description_mark,
        text=text_mark,
        greeting="Dear {{ customer.contact_name or customer.company }},",
        # a message with a subject (an email) ends with the signature block
        closing="{{ sender.signature }}"
        if subject_max is not None
        else "{{ sender.name }}, {{ company.name }}",
    )
    from followup.files import atomic_write

    atomic_write(path, text)
    return path
