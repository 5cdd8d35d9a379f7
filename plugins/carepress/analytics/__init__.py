"""Analytics: cookie-less hooks that tag events with content dimensions."""
