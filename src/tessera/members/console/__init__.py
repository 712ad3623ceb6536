"""Staff console pages for members: search, the member view with history, enrolment, profile and status."""
