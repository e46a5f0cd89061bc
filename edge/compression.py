"""Response compression: Django's GZipMiddleware, except for the admin.

Why compressing is safe here, against BREACH (an attacker who can make a victim's browser
send requests and can watch the sizes of the encrypted responses guesses a secret in the
body one character at a time, from how well it compresses beside text the attacker chose):

- the pages' one secret is the CSRF token in their forms, and Django masks it with a new
  random pad in every response, so the bytes to guess are never the same twice;
- the session and CSRF cookies travel in headers, which are not compressed;
- GZipMiddleware also pads every compressed body with a random number of bytes ("Heal the
  Breach"), which blurs the sizes the attack reads.

The admin is left uncompressed: it lists API token keys, which are not masked, beside a
search box that writes back what was searched — exactly the mix the attack needs, where
random padding alone would only make it slower. Its pages are few and small.
"""

from django.middleware.gzip import GZipMiddleware

UNCOMPRESSED_PREFIXES = ("/admin/",)


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(UNCOMPRESSED_PREFIXES):
            return response
        return super().process_response(request, response)
