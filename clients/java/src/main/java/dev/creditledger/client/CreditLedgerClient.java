package dev.creditledger.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.client.api.AccountsApi;
import dev.creditledger.client.api.ConsumptionApi;
import dev.creditledger.client.api.EndUserApi;
import dev.creditledger.client.api.GrantsApi;
import dev.creditledger.client.api.KeysApi;
import dev.creditledger.client.api.LedgerApi;
import dev.creditledger.client.api.PlansApi;
import dev.creditledger.client.api.ReservationsApi;
import dev.creditledger.client.api.SubscriptionsApi;
import dev.creditledger.client.invoker.ApiClient;
import dev.creditledger.client.invoker.ApiResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The credit-ledger client: the generated API classes, configured once with the service's base URL
 * and a bearer credential (an API key, or an end-user token for {@link #endUser()}).
 *
 * <pre>{@code
 * CreditLedgerClient client = CreditLedgerClient.create(URI.create("http://localhost:8080"), apiKey);
 * Account account = client.accounts().openAccount("user_123", null, null);
 * }</pre>
 *
 * <p>Every request carries {@code Authorization: Bearer <credential>}. Responses are read leniently:
 * a field this client does not know is ignored and an enum value it does not know reads as
 * {@code UNKNOWN_DEFAULT_OPEN_API}, so a newer service does not break an older client. Errors are
 * {@link dev.creditledger.client.invoker.ApiException}s; {@link Problems#from} reads them as typed
 * problems. Instances are thread-safe and share one {@link HttpClient}.
 */
public final class CreditLedgerClient {

    /** The response header that marks the replay of an earlier request with the same Idempotency-Key. */
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private final ApiClient apiClient;
    private final AccountsApi accounts;
    private final ConsumptionApi consumption;
    private final ReservationsApi reservations;
    private final GrantsApi grants;
    private final SubscriptionsApi subscriptions;
    private final LedgerApi ledger;
    private final PlansApi plans;
    private final KeysApi keys;
    private final EndUserApi endUser;

    private CreditLedgerClient(ApiClient apiClient) {
        this.apiClient = apiClient;
        // The generated API classes copy the ApiClient's settings when they are constructed,
        // so they are made once, after the ApiClient is fully configured.
        this.accounts = new AccountsApi(apiClient);
        this.consumption = new ConsumptionApi(apiClient);
        this.reservations = new ReservationsApi(apiClient);
        this.grants = new GrantsApi(apiClient);
        this.subscriptions = new SubscriptionsApi(apiClient);
        this.ledger = new LedgerApi(apiClient);
        this.plans = new PlansApi(apiClient);
        this.keys = new KeysApi(apiClient);
        this.endUser = new EndUserApi(apiClient);
    }

    /** A client of the service at {@code baseUrl} (e.g. {@code http://localhost:8080}) sending {@code bearerToken}. */
    public static CreditLedgerClient create(URI baseUrl, String bearerToken) {
        return builder(baseUrl, bearerToken).build();
    }

    public static Builder builder(URI baseUrl, String bearerToken) {
        return new Builder(baseUrl, bearerToken);
    }

    /**
     * The ObjectMapper the client reads and writes JSON with: the generated default, with unknown
     * properties ignored whatever the generator's default becomes.
     */
    public static ObjectMapper newObjectMapper() {
        return ApiClient.createDefaultObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** True when a response is the replay of an earlier request with the same Idempotency-Key. */
    public static boolean isReplay(ApiResponse<?> response) {
        return header(response.getHeaders(), IDEMPOTENT_REPLAYED).map("true"::equalsIgnoreCase).orElse(false);
    }

    static Optional<String> header(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    public AccountsApi accounts() { return accounts; }
    public ConsumptionApi consumption() { return consumption; }
    public ReservationsApi reservations() { return reservations; }
    public GrantsApi grants() { return grants; }
    public SubscriptionsApi subscriptions() { return subscriptions; }
    public LedgerApi ledger() { return ledger; }
    public PlansApi plans() { return plans; }
    public KeysApi keys() { return keys; }
    /** {@code /v1/me...}: needs an end-user token (the app's JWT for one user), not an API key. */
    public EndUserApi endUser() { return endUser; }

    /** The configured generated ApiClient (its ObjectMapper reads problem bodies the same way). */
    public ApiClient apiClient() { return apiClient; }

    public static final class Builder {
        private final URI baseUrl;
        private final String bearerToken;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);

        private Builder(URI baseUrl, String bearerToken) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken");
            if (bearerToken.isBlank() || bearerToken.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
                throw new IllegalArgumentException("bearerToken must be printable ASCII without spaces");
            }
            if (baseUrl.getScheme() == null || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be absolute, e.g. http://localhost:8080: " + baseUrl);
            }
        }

        public Builder connectTimeout(Duration timeout) { this.connectTimeout = timeout; return this; }

        /** How long one request may take, from sending to the whole answer. */
        public Builder readTimeout(Duration timeout) { this.readTimeout = timeout; return this; }

        public CreditLedgerClient build() {
            ApiClient apiClient = new SharedHttpClientApiClient();
            String base = baseUrl.toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            apiClient.updateBaseUri(base);
            apiClient.setObjectMapper(newObjectMapper());
            apiClient.setHttpClientBuilder(HttpClient.newBuilder().connectTimeout(connectTimeout));
            apiClient.setReadTimeout(readTimeout);
            String authorization = "Bearer " + bearerToken;
            apiClient.setRequestInterceptor(request -> request.setHeader("Authorization", authorization));
            return new CreditLedgerClient(apiClient);
        }
    }

    /** The generated ApiClient builds a new HttpClient for every API class; this one shares one. */
    private static final class SharedHttpClientApiClient extends ApiClient {
        private HttpClient httpClient;

        @Override
        public synchronized HttpClient getHttpClient() {
            if (httpClient == null) {
                httpClient = super.getHttpClient();
            }
            return httpClient;
        }

        @Override
        public synchronized ApiClient setHttpClientBuilder(HttpClient.Builder builder) {
            httpClient = null;
            return super.setHttpClientBuilder(builder);
        }
    }
}
