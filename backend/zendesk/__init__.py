"""The async Zendesk Support API client: auth, cursor pagination, sideloads, rate limits."""
