"""The workspace's read model: the dashboard, "My requests" and the case page's
reminders, served from the `workspace` schema that durable JetStream consumers
keep up to date from the services' events, so a page costs one or two SQL
statements and no RPC per case. It also sends the deadline reminders.
See docs/workspace.md, "Read model and reminders"."""

from rapidreview.workspace.readmodel.bootstrap import ReadModelRuntime, start_readmodel
from rapidreview.workspace.readmodel.config import ReadModelConfig
from rapidreview.workspace.readmodel.domain.clocks import ClockState
from rapidreview.workspace.readmodel.domain.progress import Stage
from rapidreview.workspace.readmodel.queries import ReadModel
from rapidreview.workspace.readmodel.views import CaseSummary, ClockView, DashboardFilter, ReminderSent, RequestSummary

__all__ = [
    "CaseSummary", "ClockState", "ClockView", "DashboardFilter", "ReadModel", "ReadModelConfig", "ReadModelRuntime", "ReminderSent",
    "RequestSummary", "Stage", "start_readmodel",
]
