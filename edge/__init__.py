"""What the site accepts at its edges: text (control and invisible characters, length), and
the request-level and admin-level guards that apply those rules to every input."""
