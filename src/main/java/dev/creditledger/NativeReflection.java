package dev.creditledger;

import dev.creditledger.account.AccountView;
import dev.creditledger.account.OpenAccountRequest;
import dev.creditledger.consume.ConsumeRequest;
import dev.creditledger.consume.ConsumeResponse;
import dev.creditledger.grant.GrantRequest;
import dev.creditledger.grant.GrantView;
import dev.creditledger.keys.KeyViews;
import dev.creditledger.ledger.LedgerEntryView;
import dev.creditledger.ledger.LedgerPage;
import dev.creditledger.plan.PlansView;
import dev.creditledger.problem.CreditException;
import dev.creditledger.reservation.ReservationAnswer;
import dev.creditledger.reservation.ReservationPage;
import dev.creditledger.reservation.ReservationRequest;
import dev.creditledger.reservation.ReservationView;
import dev.creditledger.reservation.SettleRequest;
import dev.creditledger.security.AuditLog;
import dev.creditledger.subscription.SubscriptionRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every type Jackson reads or writes, registered for reflection so a native executable can too:
 * each JSON shape of the API (the classes with an OpenAPI {@code @Schema}) and each value a problem
 * carries ({@link CreditException.FieldError}). Quarkus registers the parameter and return types of
 * resource methods by itself, but several bodies never appear there: a write's answer is serialized
 * by hand into its idempotency record ({@code Transactions}) and returned as a string, a problem is
 * a map, a ledger entry's grants are read from a JSON column. {@code NativeReflectionTest} holds this
 * list to the {@code @Schema} classes.
 */
@RegisterForReflection(targets = {
        AccountView.class, OpenAccountRequest.class,
        ConsumeRequest.class, ConsumeResponse.class, ConsumeResponse.CreditInfo.class,
        GrantRequest.class, GrantView.class,
        KeyViews.CreateKeyRequest.class, KeyViews.KeyView.class, KeyViews.CreatedKey.class, KeyViews.KeyList.class,
        LedgerPage.class, LedgerEntryView.class, LedgerEntryView.GrantPortion.class,
        PlansView.class, PlansView.PlanView.class, PlansView.FeatureView.class,
        ReservationRequest.class, SettleRequest.class, ReservationView.class, ReservationAnswer.class, ReservationPage.class,
        SubscriptionRequest.class,
        AuditLog.Entry.class, AuditLog.Page.class,
        CreditException.FieldError.class})
final class NativeReflection {

    private NativeReflection() {
    }
}
