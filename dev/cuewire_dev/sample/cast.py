"""The sampled world's cast: account names, people, CS owners, personas and the ticket language.

The texts span DESIGN.md's taxonomy: data-integrity failures, broken integrations,
billing, mild annoyance, upgrade and API questions, cancellation and full-export
requests, and polite how-to questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAME_HEADS = ["Blue", "Bright", "North", "Silver", "Red", "Quiet", "Swift", "Open", "Clear",
              "Iron", "Green", "Harbor", "Maple", "Copper", "Summit", "Lumen"]
NAME_TAILS = ["Ledger", "Pine", "Forge", "Field", "Peak", "Loop", "Wave", "Stone", "Bridge",
              "Works", "Labs", "Logistics"]
TLDS = [".io", ".com", ".com", ".co", ".de", ".co.uk"]
FIRST = ["Dana", "Maya", "Jonas", "Priya", "Lena", "Tom", "Aiko", "Sam", "Noah", "Ines",
         "Omar", "Clara", "Felix", "Zoe", "Ravi", "Eva", "Marco", "Hannah", "Leo", "Nina"]
LAST = ["Lee", "Okafor", "Weber", "Raman", "Fischer", "Brooks", "Tanaka", "Ortiz", "Berg",
        "Costa", "Haddad", "Novak", "Schmidt", "Moreau", "Iyer", "Larsen", "Rossi", "Klein"]
OWNERS = [
    {"name": "Riley Chen", "email": "riley@northwind.example", "slack": "@riley"},
    {"name": "Ana Souza", "email": "ana@northwind.example", "slack": "@ana"},
    {"name": "Ben Adler", "email": "ben@northwind.example", "slack": "@ben"},
    {"name": "Kim Park", "email": "kim@northwind.example", "slack": "@kim"},
]
COMPETITORS = ["Asana", "Monday.com", "ClickUp", "Airtable"]
INTEGRATIONS = ["Salesforce", "HubSpot", "Slack", "Google Sheets", "Jira"]
PERSONAS = ["steady", "frustrated", "upgrade", "churn", "steady", "abandon", "inactive",
            "billing", "steady", "howto", "upgrade", "frustrated"]
FIRST_ACCOUNT = 1001


def account_id(index: int) -> str:
    """The sample's ``index``-th account: ``acct_1001``, ``acct_1002``, …"""
    return f"acct_{FIRST_ACCOUNT + index}"


def persona_of(account: str) -> str | None:
    """What the sample's account ``account`` is really going through (what its owner knows and
    the flow has to find out), or None for an id the sample never makes.

    >>> persona_of("acct_1004"), persona_of("acct_1012"), persona_of("acct_x")
    ('churn', 'frustrated', None)
    """
    number = account.removeprefix("acct_")
    if not number.isdigit() or int(number) < FIRST_ACCOUNT:
        return None
    return PERSONAS[(int(number) - FIRST_ACCOUNT) % len(PERSONAS)]


AGENTS = [("9120398711697", "Sam Ortiz"), ("9120398711713", "Alex Moreno")]


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    anonymous_id: str
    email: str
    name: str
    zendesk_user_id: str
    intercom_contact_id: str


@dataclass(slots=True)
class Account:
    account_id: str
    name: str
    domain: str
    mrr: int
    plan: str
    persona: str
    zendesk_org_id: str
    people: list[Person] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str
    tags: tuple[str, ...]
    priority: str  # Zendesk's scale: low, normal, high, urgent


# The ticket language of DESIGN.md's taxonomy, keyed by category.
TEXTS: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    "critical": [
        ("Dashboard numbers wrong since the import",
         "Our revenue dashboard shows numbers that are simply wrong since yesterday's import: "
         "last month is off by about 40% and the totals don't match our own records. We present "
         "these figures to the board on Thursday.", ("dashboard", "data_import"), "urgent"),
        ("Data disappeared from our workspace",
         "Half of our project history disappeared overnight. Tasks from before October are gone "
         "and the audit log shows nothing. Where did our data go?", ("data_loss",), "urgent"),
        ("Reports double-count orders",
         "The weekly report double-counts orders since the last release, so our numbers are wrong "
         "and finance already sent them out. Which data can we still trust?", ("reports",), "high"),
        ("Customer records missing after sync",
         "About 300 customer records are missing after last night's sync. The data disappeared "
         "without any error message.", ("sync", "data_loss"), "urgent"),
    ],
    "high": [
        ("Can't export to CSV",
         "We can't export anything to CSV any more: the export spins for a minute and then fails. "
         "Our accountant needs the file today.", ("export",), "high"),
        ("{integration} sync stopped",
         "The {integration} sync stopped on Monday and nothing has come through since. "
         "Reconnecting the integration did not help.", ("integrations", "sync"), "high"),
        ("Webhook not firing",
         "Our order webhook is not firing since the update; the endpoint receives nothing and our "
         "fulfilment queue is empty.", ("webhooks",), "high"),
        ("API error 500 on the reports endpoint",
         "Every call to the reports API returns API error 500 since this morning. Our nightly "
         "job failed twice.", ("api",), "high"),
    ],
    "billing": [
        ("Charged the wrong amount",
         "We were charged the wrong amount this month: the invoice bills {seats} seats but we only "
         "have {users} users. Please correct it and refund the difference.", ("billing",), "normal"),
        ("Unexpected charge on our card",
         "There is an unexpected charge of ${amount} on our card from yesterday. Nobody here "
         "upgraded anything, what is it for?", ("billing",), "normal"),
    ],
    "annoyance": [
        ("App is slow this week",
         "The app has been really slow this week, loading a board takes 10 to 15 seconds. Not "
         "blocking, but annoying.", ("performance",), "low"),
        ("New editor is confusing",
         "The new editor is confusing; it took our team a while to find where the filters went. "
         "Is there a guide?", ("ux",), "low"),
    ],
    "upgrade": [
        ("Question about the Pro plan",
         "Hi! What's in the Pro plan compared to our current {plan} plan? We're mainly interested "
         "in SSO and advanced reporting.", ("sales",), "normal"),
        ("Add more users",
         "We'd like to add more users, about {users} more people from our sales team. How does "
         "pricing work if we add them mid-term?", ("sales", "seats"), "normal"),
    ],
    "api": [
        ("Do you have an API?",
         "Do you have an API we could use to pull our usage data into our BI tool? Happy to read "
         "the docs.", ("api", "sales"), "low"),
    ],
    "cancellation": [
        ("Export all our data",
         "How can we export all our data, including attachments? We need a full copy of "
         "everything before the end of the month.", ("export",), "normal"),
        ("Cancel at renewal",
         "Please let us know how to cancel our subscription at renewal. We're switching to "
         "{competitor} next quarter.", ("cancellation",), "normal"),
        ("Moving to {competitor}?",
         "We're evaluating a move to {competitor}. Before we decide: what happens to our data if "
         "we cancel?", ("cancellation",), "normal"),
    ],
    "howto": [
        ("How to add a custom field",
         "Hello, could you tell me how to add a custom field to the project template? Thanks a "
         "lot!", ("how_to",), "low"),
        ("Change the invoice e-mail",
         "Hi team, could you send our invoices to our finance address from next month on? "
         "Thank you!", ("billing", "how_to"), "low"),
        ("Where is the audit log?",
         "Quick question: where can admins find the audit log? Many thanks!!", ("how_to",), "low"),
        ("Thanks for the quick fix!",
         "Just wanted to say thanks for the quick fix yesterday, everything works perfectly "
         "now!!!", ("feedback",), "low"),
    ],
}

FOLLOW_UPS: dict[str, list[str]] = {
    "critical": ["Any update? This is still not fixed and we have now lost two days of work.",
                 "This is the third time I'm writing about this. The numbers are still wrong."],
    "high": ["Still broken this morning. We can't keep doing this by hand.",
             "Any news? The integration is still down and the team is blocked."],
    "billing": ["Following up: we still haven't received the corrected invoice."],
    "annoyance": ["Still slow today, for what it's worth."],
    "upgrade": ["Thanks! Could you also send a quote for {users} seats on Pro?"],
    "api": ["Great, and is there a rate limit on the usage endpoint?"],
    "cancellation": ["Could you confirm the export includes archived projects?"],
    "howto": ["Thanks, that worked!"],
}

PERSONA_MIX: dict[str, list[str]] = {
    "steady": ["howto", "annoyance", "howto"],
    "frustrated": ["critical", "high", "annoyance"],
    "upgrade": ["upgrade", "api", "howto"],
    "churn": ["cancellation", "high", "billing"],
    "abandon": ["howto", "annoyance"],
    "inactive": ["high", "howto"],
    "billing": ["billing", "billing", "annoyance"],
    "howto": ["howto", "howto", "api"],
}

UNKNOWN_REQUESTERS = [
    ("alex.turner@gmail.com", "Alex Turner"),
    ("ops@tinyfoundry.io", "Ops Team"),
    ("m.rossi@outlook.com", "Marta Rossi"),
    ("hello@kettle-and-co.com", "Kettle & Co"),
]
