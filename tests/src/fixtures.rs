//! The seeded rows (`tests/peer/seed/*.json`) that tests refer to. Keep
//! these in step with the seed files.
//!
//! The first company is where read tests look; write tests create their own
//! rows (in either company) and never change or delete seeded ones, so the
//! expectations below hold whatever order tests run in.

use business_central_sdk::runtime::uuid::Uuid;

const fn id(prefix: u32, n: u64) -> Uuid {
    // `{prefix}000000-0000-4000-8000-{n:012}`: the seed's id scheme.
    let high = (prefix as u128) << 120;
    let version = 0x4000u128 << 64;
    let variant = 0x8000u128 << 48;
    Uuid::from_u128(high | version | variant | decimal_digits_as_hex(n))
}

/// The seed writes counters in decimal inside the GUID's last group, so
/// entry 1003 has the id `...-000000001003`.
const fn decimal_digits_as_hex(mut n: u64) -> u128 {
    let mut out: u128 = 0;
    let mut shift = 0;
    while n > 0 {
        out |= ((n % 10) as u128) << shift;
        n /= 10;
        shift += 4;
    }
    out
}

/// "CRONUS USA, Inc.": customers, items, invoices, a journal and the general
/// ledger entries. Read tests use it.
pub const CRONUS_ID: Uuid = id(0xc0, 1);
pub const CRONUS_NAME: &str = "CRONUS USA, Inc.";

/// A second company whose name needs escaping in every position: an
/// apostrophe, `&`, `#`, `+` and a non-ASCII letter.
pub const MULLER_ID: Uuid = id(0xc0, 2);
pub const MULLER_NAME: &str = "Müller & O'Neil #2+";

/// Customers of CRONUS, by number.
pub mod cronus_customers {
    use super::*;
    pub const ALPINE: (Uuid, &str, &str) = (id(0xc1, 1), "10000", "Alpine Ski House");
    pub const OBRIEN: (Uuid, &str, &str) = (id(0xc1, 2), "20000", "O'Brien & Sons");
    pub const ZOE: (Uuid, &str, &str) = (id(0xc1, 3), "30000", "Zoë's Café #7 + Co");
    pub const FABRIKAM: (Uuid, &str, &str) = (id(0xc1, 4), "40000", "Fabrikam 100% Naturals");
    pub const NORTHWIND: (Uuid, &str, &str) = (id(0xc1, 5), "50000", "Northwind Traders");
    pub const ALL: [(Uuid, &str, &str); 5] = [ALPINE, OBRIEN, ZOE, FABRIKAM, NORTHWIND];
}

/// Customers of the second company.
pub mod muller_customers {
    use super::*;
    pub const KIRCHNER: (Uuid, &str, &str) = (id(0xc1, 11), "10000", "Kirchner Möbel");
    pub const CONTOSO: (Uuid, &str, &str) = (id(0xc1, 12), "20000", "Contoso Pharmaceuticals");
}

/// CRONUS's draft invoice S-INV-1001 and its four lines (three items, one comment).
pub const DRAFT_INVOICE_ID: Uuid = id(0xc3, 1);
pub const DRAFT_INVOICE_NUMBER: &str = "S-INV-1001";
pub const DRAFT_INVOICE_LINE_IDS: [Uuid; 4] = [id(0xc4, 1), id(0xc4, 2), id(0xc4, 3), id(0xc4, 4)];
/// CRONUS's posted (Open) invoice S-INV-1000 for O'Brien & Sons.
pub const POSTED_INVOICE_ID: Uuid = id(0xc3, 2);
pub const POSTED_INVOICE_NUMBER: &str = "S-INV-1000";

/// The second company's open invoice for Contoso, to apply payments to.
pub const MULLER_OPEN_INVOICE_ID: Uuid = id(0xc3, 11);
pub const MULLER_OPEN_INVOICE_NUMBER: &str = "S-INV-5001";

/// CRONUS's customer payment journal and its one payment line.
pub const CUSTPAY_JOURNAL_ID: Uuid = id(0xc5, 1);
pub const CUSTPAY_PAYMENT_ID: Uuid = id(0xc6, 1);

/// Items of CRONUS: (number, display name).
pub const CRONUS_ITEMS: [(&str, &str); 3] =
    [("ITM-100", "Oak desk"), ("ITM-200", "Ergonomic chair"), ("ITM-300", "Assembly service")];

/// General ledger entries of CRONUS: entry numbers 1001 to 1062. 1001-1020
/// are hand-made to give each filter example of the seed document a distinct
/// answer; 1021-1062 are daily bank charges in March 2025, a debit on
/// 61000 (odd numbers) and its credit on 10100 (even numbers).
pub mod ledger {
    use super::*;

    pub const FIRST_ENTRY: i32 = 1001;
    pub const LAST_ENTRY: i32 = 1062;
    pub const ENTRY_COUNT: usize = 62;

    /// The id of an entry, from its number.
    pub const fn entry_id(entry_number: i32) -> Uuid {
        id(0xc7, entry_number as u64)
    }

    /// The daily bank charge debits (1021, 1023, ..., 1061).
    pub fn bank_charge_debits() -> impl Iterator<Item = i32> {
        (1021..=1061).step_by(2)
    }
}

/// Customer ledger entries of CRONUS on the reportsFinance route: entry
/// number, customer number, document type, open.
pub mod customer_ledger {
    pub const CRONUS_ENTRIES: [i32; 8] = [501, 502, 503, 504, 505, 506, 507, 508];
    /// The second company has one entry.
    pub const MULLER_ENTRIES: [i32; 1] = [901];
}
