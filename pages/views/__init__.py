"""Views by page family: public pages, registration, calendar files and feeds, system pages."""
