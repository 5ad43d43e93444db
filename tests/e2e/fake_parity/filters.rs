//! Generated filters, evaluated by the peer and by the fake on the same
//! data: customers, general ledger entries and items of CRONUS. Each leaf
//! takes its literal from the seeded values (or just beside them), so most
//! filters select some rows but not all; `and`, `or` and `not` nest up to
//! three levels. The generator is seeded, so a run is reproducible; set
//! `PARITY_FILTER_SEED` to explore other filters.

use business_central_sdk::api::v2_0::enums::{ContactType, CustomerBlocked, GenJournalDocumentType, ItemType};
use business_central_sdk::api::v2_0::{self, customer, general_ledger_entry as gle, item};
use business_central_sdk::runtime::chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use business_central_sdk::runtime::rust_decimal::Decimal;
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{BaseOf, Error, Filter, IntoLiteral, Ordered, Prop, Property};
use sdk_tests::fixtures::CRONUS_ID;

use super::{both, fake_handle};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// A run of characters from `text` (prefix, suffix or middle).
    fn piece(&mut self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return String::new();
        }
        let start = self.below(chars.len());
        let len = 1 + self.below((chars.len() - start).min(6));
        chars[start..start + len].iter().collect()
    }

    fn prefix(&mut self, text: &str) -> String {
        let n = 1 + self.below(text.chars().count().clamp(1, 6));
        text.chars().take(n).collect()
    }

    fn suffix(&mut self, text: &str) -> String {
        let count = text.chars().count();
        let n = 1 + self.below(count.clamp(1, 6));
        text.chars().skip(count.saturating_sub(n)).collect()
    }

    fn decimal_near(&mut self, value: Decimal) -> Decimal {
        match self.below(5) {
            0 => value + Decimal::new(1, 2),
            1 => value - Decimal::ONE,
            2 => value.round_dp(0),
            _ => value,
        }
    }
}

/// `eq`, `ne`, `gt`, `ge`, `lt` or `le`.
fn compare<P, V>(rng: &mut Rng, property: Prop<P>, value: V) -> Filter<P::Entity>
where
    P: Property,
    BaseOf<P>: Ordered,
    V: IntoLiteral<BaseOf<P>>,
{
    match rng.below(6) {
        0 => property.eq(value),
        1 => property.ne(value),
        2 => property.gt(value),
        3 => property.ge(value),
        4 => property.lt(value),
        _ => property.le(value),
    }
}

fn nest<E>(rng: &mut Rng, depth: u32, leaf: &mut dyn FnMut(&mut Rng) -> Filter<E>) -> Filter<E> {
    if depth == 0 || rng.chance(40) {
        return leaf(rng);
    }
    match rng.below(5) {
        0 | 1 => nest(rng, depth - 1, leaf).and(nest(rng, depth - 1, leaf)),
        2 | 3 => nest(rng, depth - 1, leaf).or(nest(rng, depth - 1, leaf)),
        _ => nest(rng, depth - 1, leaf).not(),
    }
}

fn near_time(rng: &mut Rng, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    at + Duration::minutes([-60, -1, 0, 0, 1, 60][rng.below(6)])
}

fn customer_leaf(rng: &mut Rng, rows: &[customer::Customer]) -> Filter<customer::Customer> {
    let row = rng.pick(rows);
    let number = row.number.clone().unwrap_or_default();
    let name = row.display_name.clone();
    match rng.below(24) {
        0 => compare(rng, customer::number(), number),
        1 => customer::number().is_in([number, rng.pick(rows).number.unwrap_or_default(), "99999".to_owned()]),
        2 => customer::display_name().eq(name),
        3 => customer::display_name().contains(rng.piece(&name)),
        4 => customer::display_name().starts_with(rng.prefix(&name)),
        5 => customer::display_name().ends_with(rng.suffix(&name)),
        6 => customer::display_name().to_lower().eq(name.to_lowercase()),
        7 => customer::display_name().to_upper().contains(rng.piece(&name).to_uppercase()),
        8 => compare(rng, customer::display_name(), name),
        9 => compare(rng, customer::city(), row.city.unwrap_or_default()),
        10 => compare(rng, customer::country(), row.country.unwrap_or_default()),
        11 => customer::currency_code().is_in([row.currency_code.unwrap_or_default(), "GBP".to_owned()]),
        12 => customer::r#type().eq(rng.pick(&[ContactType::Company, ContactType::Person])),
        13 => {
            let blocked = rng.pick(&[
                CustomerBlocked::Blank,
                CustomerBlocked::Ship,
                CustomerBlocked::All,
                CustomerBlocked::Invoice,
            ]);
            if rng.chance(50) { customer::blocked().eq(blocked) } else { customer::blocked().ne(blocked) }
        }
        14 => customer::blocked()
            .is_in([CustomerBlocked::Ship, rng.pick(&[CustomerBlocked::All, CustomerBlocked::Blank])]),
        15 => {
            let value = rng.decimal_near(row.balance_due.unwrap_or_default());
            compare(rng, customer::balance_due(), value)
        }
        16 => {
            let value = rng.decimal_near(row.credit_limit.unwrap_or_default());
            compare(rng, customer::credit_limit(), value)
        }
        17 => customer::tax_liable().eq(rng.chance(50)),
        18 => {
            let at = row.last_modified_date_time.expect("seeded");
            let at = near_time(rng, at);
            compare(rng, customer::last_modified_date_time(), at)
        }
        19 => customer::id().eq(row.id),
        20 => {
            if rng.chance(50) {
                customer::email().eq("")
            } else {
                customer::email().ne("")
            }
        }
        21 => {
            if rng.chance(50) {
                customer::email().is_null()
            } else {
                customer::address_line1().is_not_null()
            }
        }
        22 => customer::tax_area_id().eq(Uuid::nil()),
        _ => customer::id().is_in([row.id, rng.pick(rows).id]),
    }
}

fn entry_leaf(rng: &mut Rng, rows: &[gle::GeneralLedgerEntry]) -> Filter<gle::GeneralLedgerEntry> {
    let row = rng.pick(rows);
    let number = row.entry_number.unwrap_or_default() + [-1, 0, 0, 1][rng.below(4)];
    let description = row.description.clone().unwrap_or_default();
    let document = row.document_number.clone().unwrap_or_default();
    let types = [
        GenJournalDocumentType::Blank,
        GenJournalDocumentType::Payment,
        GenJournalDocumentType::Invoice,
        GenJournalDocumentType::CreditMemo,
    ];
    match rng.below(16) {
        0 => compare(rng, gle::entry_number(), number),
        1 => gle::entry_number().is_in([number, number + 7, 5000]),
        2 => {
            let date: NaiveDate = row.posting_date.expect("seeded") + Duration::days([-1, 0, 0, 1][rng.below(4)]);
            compare(rng, gle::posting_date(), date)
        }
        3 => gle::document_number().eq(document),
        4 => gle::document_number().starts_with(rng.prefix(&document)),
        5 => {
            if rng.chance(50) {
                gle::document_type().eq(rng.pick(&types))
            } else {
                gle::document_type().ne(rng.pick(&types))
            }
        }
        6 => gle::document_type().is_in([rng.pick(&types), rng.pick(&types)]),
        7 => compare(rng, gle::account_number(), row.account_number.clone().unwrap_or_default()),
        8 => gle::description().contains(rng.piece(&description)),
        9 => gle::description().ends_with(rng.suffix(&description)),
        10 => gle::description().to_lower().eq(description.to_lowercase()),
        11 => {
            let value = rng.decimal_near(row.debit_amount.unwrap_or_default());
            compare(rng, gle::debit_amount(), value)
        }
        12 => {
            let value = rng.decimal_near(row.credit_amount.unwrap_or_default());
            compare(rng, gle::credit_amount(), value)
        }
        13 => gle::account_id().eq(row.account_id.expect("seeded")),
        14 => {
            let at = near_time(rng, row.last_modified_date_time.expect("seeded"));
            compare(rng, gle::last_modified_date_time(), at)
        }
        _ => gle::additional_currency_debit_amount().eq(Decimal::ZERO),
    }
}

fn item_leaf(rng: &mut Rng, rows: &[item::Item]) -> Filter<item::Item> {
    let row = rng.pick(rows);
    let name = row.display_name.clone().unwrap_or_default();
    match rng.below(10) {
        0 => compare(rng, item::number(), row.number.clone().unwrap_or_default()),
        1 => item::display_name().contains(rng.piece(&name)),
        2 => item::display_name().starts_with(rng.prefix(&name)),
        3 => item::r#type().eq(rng.pick(&[ItemType::Inventory, ItemType::Service, ItemType::NonInventory])),
        4 => item::blocked().eq(rng.chance(50)),
        5 => {
            let value = rng.decimal_near(row.inventory.unwrap_or_default());
            compare(rng, item::inventory(), value)
        }
        6 => {
            let value = rng.decimal_near(row.unit_price.unwrap_or_default());
            compare(rng, item::unit_price(), value)
        }
        7 => item::price_includes_tax().eq(rng.chance(50)),
        8 => item::base_unit_of_measure_code().eq(rng.pick(&["PCS", "HOUR"])),
        _ => item::number().is_in([row.number.clone().unwrap_or_default(), "ITM-999".to_owned()]),
    }
}

/// What one side answered: the matching ids, sorted, or the error status.
type Outcome = Result<Vec<Uuid>, Option<u16>>;

fn outcome<T>(result: Result<Vec<T>, Error>, id: impl Fn(&T) -> Uuid) -> Outcome {
    result
        .map(|rows| {
            let mut ids: Vec<Uuid> = rows.iter().map(id).collect();
            ids.sort();
            ids
        })
        .map_err(|e| e.status())
}

#[tokio::test]
async fn generated_filters_select_the_same_rows() {
    let seed = std::env::var("PARITY_FILTER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_f11e_u64);
    let mut rng = Rng(seed | 1);
    let fake = fake_handle();
    let inspect = v2_0::Api::new(&fake.client()).company(CRONUS_ID);
    let customers = fake.list(&inspect.customers()).expect("seeded customers");
    let entries = fake.list(&inspect.general_ledger_entries()).expect("seeded entries");
    let items = fake.list(&inspect.items()).expect("seeded items");
    let sides = both();

    let (mut compared, mut selective, mut mismatches) = (0, 0, Vec::new());
    let mut record = |text: String, outcomes: [Outcome; 2], total: usize| {
        compared += 1;
        if let Ok(ids) = &outcomes[0]
            && !ids.is_empty()
            && ids.len() < total
        {
            selective += 1;
        }
        if outcomes[0] != outcomes[1] {
            mismatches.push(format!("{text}\n  peer: {:?}\n  fake: {:?}", outcomes[0], outcomes[1]));
        }
    };
    for _ in 0..120 {
        let filter = nest(&mut rng, 3, &mut |rng| customer_leaf(rng, &customers));
        let mut outcomes = Vec::new();
        for (_, api) in &sides {
            let rows = api.company(CRONUS_ID).customers().list().filter(filter.clone()).collect().await;
            outcomes.push(outcome(rows, |c: &customer::Customer| c.id));
        }
        record(format!("customers: {filter:?}"), [outcomes.remove(0), outcomes.remove(0)], customers.len());
    }
    for _ in 0..120 {
        let filter = nest(&mut rng, 3, &mut |rng| entry_leaf(rng, &entries));
        let mut outcomes = Vec::new();
        for (_, api) in &sides {
            let rows = api.company(CRONUS_ID).general_ledger_entries().list().filter(filter.clone()).collect().await;
            outcomes.push(outcome(rows, |e: &gle::GeneralLedgerEntry| e.id));
        }
        record(format!("generalLedgerEntries: {filter:?}"), [outcomes.remove(0), outcomes.remove(0)], entries.len());
    }
    for _ in 0..60 {
        let filter = nest(&mut rng, 2, &mut |rng| item_leaf(rng, &items));
        let mut outcomes = Vec::new();
        for (_, api) in &sides {
            let rows = api.company(CRONUS_ID).items().list().filter(filter.clone()).collect().await;
            outcomes.push(outcome(rows, |i: &item::Item| i.id));
        }
        record(format!("items: {filter:?}"), [outcomes.remove(0), outcomes.remove(0)], items.len());
    }
    eprintln!(
        "parity: {compared} generated filters (seed {seed:#x}), {selective} selecting some rows but not all, {} disagreements",
        mismatches.len()
    );
    assert!(compared >= 200);
    assert!(
        selective >= compared / 3,
        "the generator should mostly produce selective filters ({selective}/{compared})"
    );
    assert!(
        mismatches.is_empty(),
        "the fake and the peer disagree on {} filters:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
