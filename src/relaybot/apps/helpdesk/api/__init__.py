"""The help desk's REST API under /api/helpdesk/, for administrators and their tools."""
