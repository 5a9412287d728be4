"""Settings → Notifications (which e-mails one gets, the calendar feed) and the feed itself."""
