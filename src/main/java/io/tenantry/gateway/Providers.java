package io.tenantry.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Settings -> Providers: the upstreams the gateway may call, kept by owners and admins. A
 * provider names the vault credential of its key and never holds a key itself, so nothing
 * here is secret; it is still the operator's infrastructure, so only operators read it.
 */
@Service
class Providers {

    static final String NAME_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$";
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);
    private static final Pattern CREDENTIAL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$");
    private static final int MAX_HEADERS = 20;
    /** Headers the gateway sets itself, or that would change how the call travels. */
    private static final Set<String> RESERVED_HEADERS = Set.of("authorization", "host", "content-length",
            "content-type", "connection", "transfer-encoding", "upgrade", "te", "trailer", "keep-alive",
            "proxy-authorization", "expect", "accept", "accept-encoding", "cookie");

    private final ProviderRepository providers;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Providers(ProviderRepository providers, ScopedTransactions transactions, AuditLog audit) {
        this.providers = providers;
        this.transactions = transactions;
        this.audit = audit;
    }

    List<Provider> list(OrgCallContext context) {
        context.requireOperator("see the gateway's providers");
        return transactions.read(context.reach(), providers::all);
    }

    Provider get(OrgCallContext context, UUID id) {
        context.requireOperator("see the gateway's providers");
        return transactions.read(context.reach(), () -> providers.find(id).orElseThrow(Providers::notFound));
    }

    Provider create(OrgCallContext context, ProviderDefinition definition) {
        context.requireOperator("add gateway providers");
        Provider checked = checked(definition, UUID.randomUUID(), context);
        OrgCallContext inReach = context.within(context.reach());
        try {
            return transactions.write(inReach.scope(), () -> {
                providers.insert(checked);
                audit.recordPlatform(inReach, "gateway.provider.created", "gateway_provider", checked.id(), null,
                        checked);
                return checked;
            });
        } catch (DuplicateKeyException taken) {
            throw nameTaken(checked.name());
        }
    }

    Provider replace(OrgCallContext context, UUID id, ProviderDefinition definition) {
        context.requireOperator("change gateway providers");
        OrgCallContext inReach = context.within(context.reach());
        try {
            return transactions.write(inReach.scope(), () -> {
                Provider before = providers.lock(id).orElseThrow(Providers::notFound);
                Provider checked = checked(definition, id, context);
                Provider after = new Provider(id, checked.name(), checked.baseUrl(), checked.keyCredential(),
                        checked.keyHeader(), checked.headers(), checked.connectTimeoutMs(),
                        checked.firstByteTimeoutMs(), checked.idleTimeoutMs(), checked.outputLimitField(),
                        before.createdAt(), context.at());
                providers.update(after);
                audit.recordPlatform(inReach, "gateway.provider.changed", "gateway_provider", id, before, after);
                return after;
            });
        } catch (DuplicateKeyException taken) {
            throw nameTaken(definition.name());
        }
    }

    void delete(OrgCallContext context, UUID id) {
        context.requireOperator("remove gateway providers");
        OrgCallContext inReach = context.within(context.reach());
        transactions.write(inReach.scope(), () -> {
            Provider before = providers.lock(id).orElseThrow(Providers::notFound);
            List<String> models = providers.routedThrough(id);
            if (!models.isEmpty()) {
                throw ApiException.conflict("The provider '" + before.name() + "' is a target of the routes for "
                        + String.join(", ", models) + ": take it out of them first.");
            }
            providers.delete(id);
            audit.recordPlatform(inReach, "gateway.provider.removed", "gateway_provider", id, before, null);
        });
    }

    private static Provider checked(ProviderDefinition definition, UUID id, OrgCallContext context) {
        if (definition == null) {
            throw ApiException.badRequest(null, "Send the provider: {name, baseUrl, keyCredential, ...}.");
        }
        String name = definition.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "name is required: up to 64 lower-case letters, digits, '_' and "
                    + "'-', starting with a letter or digit.");
        }
        String credential = definition.keyCredential();
        if (credential != null && !CREDENTIAL.matcher(credential).matches()) {
            throw ApiException.badRequest("keyCredential", "keyCredential names a vault credential: up to 128 "
                    + "letters, digits, '.', '_' and '-'.");
        }
        String keyHeader = definition.keyHeader() == null ? Provider.AUTHORIZATION : definition.keyHeader();
        if (!HEADER_NAME.matcher(keyHeader).matches()) {
            throw ApiException.badRequest("keyHeader", "keyHeader must be a header name (up to 64 characters).");
        }
        if (keyHeader.equalsIgnoreCase(Provider.AUTHORIZATION)) {
            keyHeader = Provider.AUTHORIZATION;
        } else if (RESERVED_HEADERS.contains(keyHeader.toLowerCase(Locale.ROOT))) {
            throw ApiException.badRequest("keyHeader", "The key cannot travel in " + keyHeader + ": the gateway sets "
                    + "that header itself.");
        }
        return new Provider(id, name, baseUrl(definition.baseUrl()), credential, keyHeader,
                headers(definition.headers(), keyHeader),
                within("connectTimeoutMs", definition.connectTimeoutMs(), 5_000, 100, 60_000),
                within("firstByteTimeoutMs", definition.firstByteTimeoutMs(), 60_000, 100, 600_000),
                within("idleTimeoutMs", definition.idleTimeoutMs(), 60_000, 100, 600_000),
                outputLimitField(definition.outputLimitField()), context.at(), context.at());
    }

    private static String outputLimitField(String value) {
        if (value == null) {
            return Provider.MAX_TOKENS;
        }
        if (!value.equals(Provider.MAX_TOKENS) && !value.equals(Provider.MAX_COMPLETION_TOKENS)) {
            throw ApiException.badRequest("outputLimitField", "outputLimitField is max_tokens or "
                    + "max_completion_tokens (what OpenAI's reasoning models require).");
        }
        return value;
    }

    static String baseUrl(String value) {
        String problem = "baseUrl is required: an http or https address without credentials, query or fragment, "
                + "up to 2,000 characters, such as https://api.openai.com/v1.";
        if (value == null || value.isBlank() || value.length() > 2000) {
            throw ApiException.badRequest("baseUrl", problem);
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("baseUrl", problem);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ApiException.badRequest("baseUrl", problem);
        }
        return value;
    }

    private static Map<String, String> headers(Map<String, String> given, String keyHeader) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (given == null) {
            return headers;
        }
        if (given.size() > MAX_HEADERS) {
            throw ApiException.badRequest("headers", "A provider has at most " + MAX_HEADERS + " extra headers.");
        }
        for (Map.Entry<String, String> header : given.entrySet()) {
            String name = header.getKey();
            if (!HEADER_NAME.matcher(name).matches()) {
                throw ApiException.badRequest("headers", "'" + Fields.shown(name, 40) + "' is not a header name.");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower) || lower.equals(keyHeader.toLowerCase(Locale.ROOT))) {
                throw ApiException.badRequest("headers", "The gateway sets " + name + " itself; the provider's key "
                        + "belongs in the vault (keyCredential).");
            }
            String value = header.getValue();
            if (value == null || value.length() > 1000 || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw ApiException.badRequest("headers", "The value of " + name + " must be printable ASCII, up to "
                        + "1,000 characters.");
            }
            if (headers.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
                throw ApiException.badRequest("headers", name + " is given twice.");
            }
            headers.put(name, value);
        }
        return headers;
    }

    private static int within(String field, Integer value, int otherwise, int min, int max) {
        if (value == null) {
            return otherwise;
        }
        if (value < min || value > max) {
            throw ApiException.badRequest(field, field + " must be between " + min + " and " + max + ".");
        }
        return value;
    }

    private static ApiException notFound() {
        return ApiException.notFound("The provider");
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("name", "A provider named '" + name + "' exists already.");
    }
}
