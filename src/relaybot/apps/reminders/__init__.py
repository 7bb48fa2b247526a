"""The reminders constructor: people create bots and cron reminders through REST and chat."""
