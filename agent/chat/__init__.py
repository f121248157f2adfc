"""Terminal chat and `brief ask`: grounded answers from the claim store, cited by page."""
