package dev.creditledger.store;

import dev.creditledger.domain.LockedAccount;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The locked accounts written in the transaction now open on this Vert.x context, so that what
 * their writes did (a refill, an expiry) is counted once the transaction has committed, and not at
 * all when it rolls back (docs/design.md, rule O1). The outermost transaction opens the list and
 * takes it when it ends; {@link LockedAccounts#write} adds to it.
 */
public final class WrittenAccounts {

    private static final String KEY = "credit-ledger.written-accounts";

    private WrittenAccounts() {
    }

    /** Opens the list unless an enclosing transaction has; true when this call opened it (and must take it). */
    public static boolean open() {
        if (!VertxContext.isOnDuplicatedContext() || ContextLocals.get(KEY).isPresent()) {
            return false;
        }
        ContextLocals.put(KEY, new ArrayList<LockedAccount>());
        return true;
    }

    /** The accounts written since {@link #open}, closing the list. */
    public static List<LockedAccount> take() {
        Optional<List<LockedAccount>> written = ContextLocals.get(KEY);
        ContextLocals.remove(KEY);
        return written.orElse(List.of());
    }

    static void add(LockedAccount account) {
        if (VertxContext.isOnDuplicatedContext()) {
            ContextLocals.<List<LockedAccount>>get(KEY).ifPresent(written -> {
                if (written.stream().noneMatch(a -> a == account)) {
                    written.add(account);
                }
            });
        }
    }
}
