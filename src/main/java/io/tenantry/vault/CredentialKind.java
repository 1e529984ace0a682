package io.tenantry.vault;

import io.tenantry.api.ApiException;

/** What a credential is, for the people who keep it; the vault treats every kind alike. */
enum CredentialKind {
    api_key, oauth_token, password, smtp, webhook_secret, other;

    static final String[] NAMES = {"api_key", "oauth_token", "password", "smtp", "webhook_secret", "other"};

    static CredentialKind parse(String value) {
        if (value != null) {
            for (CredentialKind kind : values()) {
                if (kind.name().equals(value)) {
                    return kind;
                }
            }
        }
        throw ApiException.badRequest("kind", "kind must be one of: " + String.join(", ", NAMES) + ".");
    }
}
