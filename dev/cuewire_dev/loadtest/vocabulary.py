"""What the simulated population does and writes: event kinds, ticket shapes and texts, names."""

from __future__ import annotations

DEFAULT_EVENT_MIX: dict[str, float] = {
    "page": 30, "login": 18, "feature": 12, "pricing": 8, "plan_compare": 3, "cancel_terms": 2,
    "export": 1, "cart": 8, "checkout": 4, "onboarding_start": 8, "onboarding_done": 6,
}
"""Relative weights of the event kinds; ``--event-mix`` overrides any of them."""

# (Segment call, event or page name, path)
EVENT_KINDS: dict[str, tuple[str, str, str]] = {
    "page": ("page", "Dashboard", "/app/dashboard"),
    "login": ("track", "Signed In", "/login"),
    "feature": ("track", "Report Created", "/app/reports"),
    "pricing": ("track", "Pricing Page Viewed", "/pricing"),
    "plan_compare": ("track", "Plan Compared", "/pricing/compare"),
    "cancel_terms": ("page", "Cancellation Terms", "/legal/cancel"),
    "export": ("track", "Data Export Started", "/app/settings/export"),
    "cart": ("track", "Product Added", "/store/addons"),
    "checkout": ("track", "Checkout Started", "/store/checkout"),
    "onboarding_start": ("track", "Onboarding Step Started", "/app/onboarding"),
    "onboarding_done": ("track", "Onboarding Step Completed", "/app/onboarding"),
}

# Helpdesk shapes and their shares of tickets.
TICKET_SHAPES: dict[str, float] = {
    "zendesk_created": 25, "zendesk_comment": 15, "zendesk_trigger": 20,
    "intercom_created": 15, "intercom_replied": 10, "generic": 15,
}

# Ticket language across the taxonomy: (category, weight, subject, body).
TEXTS: list[tuple[str, float, str, str]] = [
    ("data_integrity", 4, "Dashboard numbers wrong",
     "Since yesterday's import the numbers are wrong on our revenue dashboard and the totals don't "
     "match our own records. We report to the board on Friday."),
    ("data_integrity", 3, "Data disappeared",
     "Half of our project history disappeared overnight; data is missing from before October."),
    ("core_workflow", 5, "Can't export to CSV",
     "We can't export anything to CSV any more: the export spins and then fails."),
    ("core_workflow", 3, "App keeps crashing",
     "The desktop app keeps crashing when we open large boards, the team is blocked."),
    ("integration", 5, "{integration} sync stopped",
     "The {integration} sync stopped on Monday and nothing has come through since."),
    ("integration", 3, "Webhook not firing",
     "Our order webhook is not firing since the update and we get API error 500 on retries."),
    ("billing", 5, "Charged the wrong amount",
     "We were charged the wrong amount this month: {seats} seats billed but we have {users} users."),
    ("billing", 3, "Unexpected charge",
     "There is an unexpected charge of ${amount} on our card from yesterday. What is it for?"),
    ("annoyance", 8, "App is slow",
     "The app has been really slow this week, loading a board takes 10 to 15 seconds."),
    ("annoyance", 5, "New editor is confusing",
     "The new editor is confusing; it took us a while to find where the filters went."),
    ("escalation", 3, "Still not fixed",
     "This is the third time I'm writing: the sync is still broken. We are looking at alternatives."),
    ("upgrade", 6, "Question about the Pro plan",
     "What's in the Pro plan compared to our {plan} plan? We may need to add more users soon."),
    ("upgrade", 4, "More seats",
     "We'd like to add seats for {users} more people. How does pricing work mid-term?"),
    ("api", 4, "Do you have an API?",
     "Do you have an API we could use to pull usage data into our BI tool?"),
    ("cancellation", 3, "Cancel at renewal",
     "Please tell us how to cancel our subscription at renewal, we are switching to {competitor}."),
    ("full_export", 3, "Export all our data",
     "How can we export all our data, including attachments, before the end of the month?"),
    ("feature", 5, "Custom fields",
     "Is there a way to add a custom field to the project template?"),
    ("polite", 12, "Thanks for the quick fix!",
     "Just wanted to say thanks for the quick fix yesterday, everything works perfectly now!!!"),
    ("polite", 8, "Change the invoice e-mail",
     "Hi team, could you send our invoices to our finance address from next month on? Thanks!"),
]

HEADS = ["Blue", "Bright", "North", "Silver", "Red", "Quiet", "Swift", "Open", "Clear", "Iron"]
TAILS = ["Ledger", "Pine", "Forge", "Field", "Peak", "Loop", "Wave", "Stone", "Bridge", "Harbor"]
FIRST = ["Dana", "Maya", "Jonas", "Priya", "Lena", "Tom", "Aiko", "Sam", "Noah", "Ines", "Omar"]
LAST = ["Lee", "Okafor", "Weber", "Raman", "Fischer", "Brooks", "Tanaka", "Ortiz", "Berg", "Silva"]
OWNERS = [("Riley Chen", "riley@vendor.example"), ("Jo Park", "jo@vendor.example"),
           ("Kim Novak", "kim@vendor.example")]
INTEGRATIONS = ["Salesforce", "HubSpot", "Slack", "Jira"]
COMPETITORS = ["Asana", "ClickUp", "Airtable"]
PLANS = ["starter", "team", "business"]
