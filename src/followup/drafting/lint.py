"""`followup templates lint`: what a manager must fix before approving.

Per template: invalid header or syntax, the `templates new` skeleton's text left in it,
names the context does not have, sandbox escapes (attributes starting with `_`), text
in another language than its tag, digits typed into the text (a fact that is not a
variable), forbidden phrases, a workspace file that hides an approved shipped one, and
— rendered for real customers — subject and body lengths and check findings. For the
library: coverage gaps, i.e. a campaign × channel × reason × shipped language with no
approved template, naming the workspace file that hides the shipped one when that is
the cause. For company.yaml (when rendering): a text written per language that lacks a
language the library drafts in (a zh draft would quote its English). `templates approve`
refuses a template with an error here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from followup.campaigns import CAMPAIGNS, CHANNELS
from followup.data.facts import FACTS_FILE
from followup.data.reasons import LOSS_REASONS
from followup.drafting.library import SHIPPED_LANGUAGES, Library, TemplateFile

if TYPE_CHECKING:
    from jinja2 import nodes

    from followup.data.facts import CompanyFacts, Text
    from followup.drafting.library import TemplateHeader
    from followup.drafting.workbench import DraftRequest, Workbench
    from followup.history.threads import Previous

_DIGIT_IN_TEXT = re.compile(r"\d")
#: a template's text is judged for its language only with at least this many letters
#: (Jinja stripped): enough for the identifier to be sure, never a subject alone
LANGUAGE_MIN_LETTERS = 60
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Issue:
    template: str  # template id, "library" for coverage, "company.yaml" for its texts
    code: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def line(self) -> str:
        return f"{self.template}: {self.severity}: {self.message} [{self.code}]"


def lint_library(library: Library, bench: Workbench | None, forbidden: list[str]) -> list[Issue]:
    issues: list[Issue] = []
    for item in sorted(library.templates.values(), key=lambda t: t.id):
        issues += lint_template(item, bench, forbidden)
        issues += _hides_shipped(library, item)
    issues += coverage_gaps(library)
    if bench is not None:
        issues += missing_languages(library, bench)
        issues += untranslated(bench.facts, _languages(library))
    return issues


def missing_languages(library: Library, bench: Workbench) -> list[Issue]:
    """A warning per language the customers are in that no approved template is written
    in: their drafts fall back to English (`ru: 14 customers, drafted in en`)."""
    from collections import Counter

    have = {t.header.language.split("-")[0].lower() for t in library.usable() if t.header}
    customers = Counter(p["customer"]["language"] for p in bench.profiles.values())
    by_base: Counter[str] = Counter()
    for language, n in customers.items():
        by_base[language.split("-")[0].lower()] += n
    return [
        Issue(
            "library",
            "language_missing",
            f"{n} customer{'s are' if n != 1 else ' is'} in {base!r}, and no approved template "
            f"is: their drafts fall back to English",
            "warning",
        )
        for base, n in sorted(by_base.items())
        if base not in have
    ]


def _languages(library: Library) -> list[str]:
    """The base languages the library's usable templates draft in, in a stable order."""
    found = {t.header.language.split("-")[0] for t in library.usable() if t.header}
    return sorted(found, key=lambda code: (code not in SHIPPED_LANGUAGES, code))


def untranslated(facts: CompanyFacts, languages: list[str]) -> list[Issue]:
    """A warning for each company.yaml text written per language that lacks one of
    `languages`: a draft in that language quotes its English (`localize`), so a Chinese
    draft would hold an English sentence. A plain string is one text for every language,
    as written, and is not reported."""
    issues = []
    for where, text in _free_texts(facts):
        missing = [code for code in languages if isinstance(text, dict) and code not in text]
        if missing:
            names = ", ".join(missing)
            issues.append(
                Issue(
                    FACTS_FILE,
                    "untranslated",
                    f"{where} has no {names} text: drafts in {names} quote it in English; "
                    f"add `{missing[0]}: ...` beside `en:`",
                    "warning",
                )
            )
    return issues


def _free_texts(facts: CompanyFacts) -> list[tuple[str, Text]]:
    """(where, text) for every free text of company.yaml a draft quotes."""
    texts: list[tuple[str, Text]] = [
        (f"achievements[{i}]", t) for i, t in enumerate(facts.achievements)
    ]
    for i, offer in enumerate(facts.offers):
        texts += [(f"offers[{i}].name", offer.name), (f"offers[{i}].conditions", offer.conditions)]
    texts += [
        (f"production.closures[{i}].name", c.name) for i, c in enumerate(facts.production.closures)
    ]
    texts += [
        (f"price_changes[{i}].description", p.description)
        for i, p in enumerate(facts.price_changes)
    ]
    texts += [
        (f"new_products[{i}].description", p.description) for i, p in enumerate(facts.new_products)
    ]
    for key, items in facts.changes.items():
        texts += [(f"changes.{key}[{i}]", t) for i, t in enumerate(items)]
    return texts


def lint_template(item: TemplateFile, bench: Workbench | None, forbidden: list[str]) -> list[Issue]:
    if item.problem or item.header is None:
        return [Issue(item.id, "invalid", item.problem or "invalid")]
    sources = [item.body] + ([item.header.subject] if item.header.subject else [])
    issues = _skeleton(item, [item.header.subject or "", item.body, item.header.description])
    for source in sources:
        issues += _names(item, source)
    issues += _regions(item)
    issues += _language(item)
    issues += _literal_facts(item, sources)
    issues += _forbidden(item, sources, forbidden)
    if bench is not None and not any(i.code in {"unknown_name", "sandbox"} for i in issues):
        issues += _rendered(item, bench)
    return issues


def _skeleton(item: TemplateFile, sources: list[str]) -> list[Issue]:
    """The text `templates new` writes for the manager to replace, still there."""
    from followup.drafting.checks import skeleton_in

    found = next((text for s in sources if (text := skeleton_in(s))), None)
    if found is None:
        return []
    message = f"still holds the skeleton's text {found!r}: write the template, then lint it"
    return [Issue(item.id, "skeleton", message)]


def _language(item: TemplateFile) -> list[Issue]:
    """The body (Jinja stripped) in another language than the header's tag, when it is long
    enough and the identifier sure (`followup.langid.is_language`)."""
    from followup.langid import LANGUAGES, detect, is_language, strip_non_language

    assert item.header is not None
    tag = item.header.language
    if sum(c.isalpha() for c in strip_non_language(item.body)) < LANGUAGE_MIN_LETTERS:
        return []
    if is_language(item.body, tag) is not False:
        return []
    seen = detect(item.body, among={*LANGUAGES, tag})
    what = f"in {seen.language!r}" if seen else "not in that language"
    return [Issue(item.id, "language", f"tagged {tag!r}, but its text is {what}")]


def _hides_shipped(library: Library, item: TemplateFile) -> list[Issue]:
    if not library.hides_approved(item):
        return []
    message = (
        f"{_hiding(library, item)}: approve this copy, or delete it to draft with the "
        "shipped one (`followup templates diff` shows how they differ)"
    )
    return [Issue(item.id, "hides_shipped", message, "warning")]


def _hiding(library: Library, item: TemplateFile) -> str:
    """`urgency-email-en in the workspace is unapproved and hides the shipped approved one`."""
    status = library.status(item)
    return f"{item.id} in the workspace is {status} and hides the shipped approved one"


def _names(item: TemplateFile, source: str) -> list[Issue]:
    from jinja2 import meta, nodes

    from followup.drafting.context import context_names
    from followup.drafting.sandbox import environment

    assert item.header is not None
    tree = environment(item.header.language).parse(source)
    # a `{% set %}` outside the regions' blocks is seen inside them when rendering
    assigned = {
        name.name
        for node in tree.find_all((nodes.Assign, nodes.AssignBlock))
        for name in _names_in(node.target)  # type: ignore[attr-defined]
    }
    unknown = meta.find_undeclared_variables(tree) - context_names() - assigned
    issues = [
        Issue(item.id, "unknown_name", f"uses {name!r}, which the context does not have")
        for name in sorted(unknown)
    ]
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = _attribute(node)  # type: ignore[arg-type]  # find_all yields these two types
        if attr is not None and attr.startswith("_"):
            issues.append(
                Issue(item.id, "sandbox", f"reaches for {attr!r}: not allowed in a template")
            )
    return issues


def _regions(item: TemplateFile) -> list[Issue]:
    """Each region the header lists is a `{% block %}` of the body, and each block a region."""
    from typing import get_args

    from jinja2 import nodes

    from followup.drafting.library import Region
    from followup.drafting.sandbox import environment

    assert item.header is not None
    tree = environment(item.header.language).parse(item.body)
    blocks = [block.name for block in tree.find_all(nodes.Block)]
    listed = [name for name in item.header.regions if name != "subject"]
    issues = [
        Issue(
            item.id, "region", f"regions lists {name!r}, but the body has no {{% block {name} %}}"
        )
        for name in listed
        if name not in blocks
    ]
    for name in blocks:
        if name not in get_args(Region):
            known = ", ".join(get_args(Region)[1:])
            issues.append(Issue(item.id, "region", f"block {name!r} is not a region ({known})"))
        elif name not in listed:
            issues.append(
                Issue(
                    item.id,
                    "region",
                    f"block {name!r} is not in regions: the LLM keeps its approved wording",
                    "warning",
                )
            )
    return issues


def _names_in(target: nodes.Node) -> list[nodes.Name]:
    """The names a `{% set %}` assigns (`x`, or each of `a, b`)."""
    from jinja2 import nodes

    return [target] if isinstance(target, nodes.Name) else list(target.find_all(nodes.Name))


def _attribute(node: nodes.Getattr | nodes.Getitem) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    return None


def _literal_facts(item: TemplateFile, sources: list[str]) -> list[Issue]:
    text = " ".join(_JINJA.sub(" ", s) for s in sources)
    match = _DIGIT_IN_TEXT.search(text)
    if not match:
        return []
    start = max(match.start() - 20, 0)
    snippet = text[start : match.end() + 20].strip().replace("\n", " ")
    return [
        Issue(
            item.id,
            "literal_fact",
            f"a number typed into the text (…{snippet}…): facts must come from variables",
            "warning",
        )
    ]


def _forbidden(item: TemplateFile, sources: list[str], forbidden: list[str]) -> list[Issue]:
    text = " ".join(sources).casefold()
    return [
        Issue(item.id, "forbidden_phrase", f"contains {phrase!r}, which company.yaml forbids")
        for phrase in forbidden
        if phrase.strip() and phrase.casefold() in text
    ]


def _rendered(item: TemplateFile, bench: Workbench, limit: int = 25) -> list[Issue]:
    """Render for up to `limit` real customers it would draft for; report check findings."""
    from followup.drafting.engine import TemplateEngine
    from followup.errors import FollowupError

    assert item.header is not None
    engine = TemplateEngine(bench, allow_unapproved=True)
    engine.candidates = [item]
    seen: dict[str, Issue] = {}
    for customer_id in _customers_for(item, bench)[:limit]:
        try:
            draft = engine.draft(template_request(bench, customer_id, item.header))
        except FollowupError as exc:
            return [Issue(item.id, "render", f"fails for {customer_id}: {exc}")]
        for finding in draft.findings:
            if finding.code not in seen:
                seen[finding.code] = Issue(
                    item.id, finding.code, f"for {customer_id}: {finding.message}"
                )
    return list(seen.values())


def _customers_for(item: TemplateFile, bench: Workbench) -> list[str]:
    from followup.drafting.context import answered_reason

    assert item.header is not None
    reasons = set(item.header.loss_reasons)
    segments = set(item.header.segments)
    chosen = []
    for customer_id, profile in sorted(bench.profiles.items()):
        customer, loss = profile["customer"], profile["loss"]
        reason = answered_reason(loss)
        if reasons and reason not in reasons:
            continue
        if segments and not segments & {customer["segment"], customer["cn8_segment"]}:
            continue
        chosen.append(customer_id)
    return chosen


def template_request(bench: Workbench, customer_id: str, header: TemplateHeader) -> DraftRequest:
    """A request a template drafts for as it stands (`templates preview`, `templates lint`):
    a later touch's follows up an example first message, the customer's draft of the
    approved touch-1 template sent `[contact] touch_after_days` ago."""
    from followup.drafting.workbench import request

    channel, language = header.channel, header.language
    if header.touch == 1:
        return request(bench, customer_id, header.campaign, channel, language)
    return request(
        bench,
        customer_id,
        header.campaign,
        channel,
        language,
        previous=example_previous(bench, customer_id, header),
    )


def example_previous(bench: Workbench, customer_id: str, header: TemplateHeader) -> Previous:
    """The message an example touch follows up: what the approved template of the touch
    before drafts for the customer (its subject), sent the campaign's wait ago."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.workbench import request
    from followup.errors import FollowupError
    from followup.history.threads import Previous

    first = request(bench, customer_id, header.campaign, header.channel, header.language)
    try:
        subject = TemplateEngine(bench).draft(first).subject or ""
    except FollowupError:
        subject = ""
    wait = bench.dataset.settings.contact.after_days(header.campaign)
    domain = first.context["sender"]["email"].rpartition("@")[2] or "example.invalid"
    return Previous(
        touch=header.touch - 1,
        message_id=f"<example.followup@{domain}>",
        references=(),
        subject=subject,
        sent_on=bench.as_of - dt.timedelta(days=wait),
        language=header.language,
    )


def coverage_gaps(library: Library) -> list[Issue]:
    """Each campaign × channel × reason × shipped language with no approved template."""
    approved = [t for t in library.usable() if t.header is not None]
    hiding = [t for t in library.templates.values() if library.hides_approved(t)]
    issues = []
    for campaign, spec in CAMPAIGNS.items():
        reasons: list[str | None] = list(LOSS_REASONS) if spec.by_loss_reason else [None]
        slots = [(channel, reason, 1) for channel in CHANNELS for reason in reasons]
        slots += [("email", None, 2)]  # a second touch follows up a sent email, any reason
        for channel, reason, touch in slots:
            for language in SHIPPED_LANGUAGES:
                gap: Gap = (campaign, channel, reason, language, touch)
                if not any(_covers(t, gap) for t in approved):
                    what = " ".join(x for x in (campaign, reason, channel) if x)
                    what += f" touch-{touch}" if touch > 1 else ""
                    cause = _cause(library, hiding, gap)
                    message = f"no approved {what} template in {language!r}{cause}"
                    issues.append(Issue("library", "coverage", message))
    return issues


def _cause(library: Library, hiding: list[TemplateFile], gap: Gap) -> str:
    """`: X in the workspace is unapproved and hides the shipped approved one`, when a
    workspace file hides the shipped template that would fill this gap (campaign, channel,
    reason, language, touch); else ""."""
    causes = [
        _hiding(library, item)
        for item in hiding
        if library.hidden[item.id].header is not None and _covers(library.hidden[item.id], gap)
    ]
    return f": {'; '.join(causes)}" if causes else ""


#: a slot of the library: campaign, channel, loss reason (or none), language, touch
Gap = tuple[str, str, str | None, str, int]


def _covers(item: TemplateFile, gap: Gap) -> bool:
    header = item.header
    assert header is not None
    campaign, channel, reason, language, touch = gap
    return (
        header.touch == touch
        and header.campaign == campaign
        and header.channel == channel
        and header.language.split("-")[0] == language
        and not header.segments
        and (not header.loss_reasons or reason in header.loss_reasons)
    )


def summary(issues: list[Issue]) -> dict[str, Any]:
    errors = sum(i.severity == "error" for i in issues)
    return {"errors": errors, "warnings": len(issues) - errors}
