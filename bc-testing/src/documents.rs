//! Business Central's behaviour around documents and master data: what a
//! create leaves filled in (ids, numbers from a number series, line
//! numbers, customer and item lookups, a draft status, blank values for
//! everything else), line amounts and document totals kept up to date, and
//! the default behaviour of `post` and `cancel`.

use odata_v4_runtime::chrono::{DateTime, FixedOffset, Utc};
use odata_v4_runtime::rust_decimal::Decimal;
use odata_v4_runtime::uuid::Uuid;

use crate::bc_rules;
use crate::json::{JsonObject, JsonValue};
use crate::model::{Edm, Kind, PropertyModel, ServiceModel, TypeModel};
use crate::reply::Failure;
use crate::store::{Ids, Row, Seq, Store};
use crate::values::{self, Value};

/// A write in progress: the route's model and data, and whether it is
/// seeding. [`writes`](crate::writes) carries creates, updates and deletes
/// out with it; this module adds what Business Central does around them.
pub(crate) struct Writer<'a> {
    pub model: &'a ServiceModel,
    pub store: &'a mut Store,
    pub ids: &'a mut Ids,
    /// Seeding: read-only properties and read-only sets are accepted, and
    /// values already given are kept as they are.
    pub seeding: bool,
}

/// What Business Central writes for "no value" in a property of this type.
pub(crate) fn blank(model: &ServiceModel, property: &PropertyModel) -> JsonValue {
    if property.collection {
        return JsonValue::Array(Vec::new());
    }
    match &property.kind {
        Kind::Enum(name) => model.enums.get(name).and_then(|e| e.blank()).map_or(JsonValue::Null, JsonValue::string),
        Kind::Complex(_) => JsonValue::Null,
        Kind::Primitive(edm) => match edm {
            Edm::String | Edm::Binary => JsonValue::string(""),
            Edm::Boolean => JsonValue::Bool(false),
            Edm::Guid => JsonValue::string(Uuid::nil().to_string()),
            Edm::Date => JsonValue::string("0001-01-01"),
            Edm::DateTimeOffset => JsonValue::string("0001-01-01T00:00:00Z"),
            Edm::TimeOfDay => JsonValue::string("00:00:00"),
            Edm::Duration => JsonValue::string("PT0S"),
            Edm::Decimal | Edm::Integer | Edm::Double => JsonValue::number(0),
            Edm::Stream | Edm::Other => JsonValue::Null,
        },
    }
}

/// Whether a stored value is Business Central's blank (or missing).
pub(crate) fn is_blank(value: Option<&JsonValue>) -> bool {
    match value {
        None | Some(JsonValue::Null) => true,
        Some(JsonValue::String(text)) => {
            text.is_empty()
                || text == "00000000-0000-0000-0000-000000000000"
                || text == "0001-01-01"
                || text == "0001-01-01T00:00:00Z"
        }
        Some(JsonValue::Number(n)) => values::parse_decimal(n).is_some_and(|d| d.is_zero()),
        _ => false,
    }
}

fn text<'a>(values: &'a JsonObject, name: &str) -> Option<&'a str> {
    values.get(name).and_then(JsonValue::as_str).filter(|t| !t.is_empty())
}

fn decimal(values: &JsonObject, name: &str) -> Decimal {
    match values.get(name) {
        Some(JsonValue::Number(n)) => values::parse_decimal(n).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn set_if_blank(ty: &TypeModel, values: &mut JsonObject, name: &str, value: JsonValue) {
    if ty.property(name).is_some() && is_blank(values.get(name)) {
        values.insert(name, value);
    }
}

/// The entity type with this unqualified name.
fn type_named<'m>(model: &'m ServiceModel, short: &str) -> Option<&'m TypeModel> {
    model.types.values().find(|t| t.short_name() == short)
}

/// The row of `short` in `company` whose `property` is `wanted`.
fn find<'s>(w: &'s Writer<'_>, short: &str, company: Option<Uuid>, property: &str, wanted: &str) -> Option<&'s Row> {
    let ty = type_named(w.model, short)?;
    let wanted_id = values::parse_guid(wanted);
    w.store.rows(&ty.name).find(|row| {
        row.company == company
            && match (row.values.get(property).and_then(JsonValue::as_str), wanted_id) {
                (Some(stored), Some(id)) => values::parse_guid(stored) == Some(id),
                (Some(stored), None) => stored == wanted,
                _ => false,
            }
    })
}

fn lookup_failed(what: &str, field: &str, value: &str) -> Failure {
    Failure::bad_request_code(
        "Internal_RecordNotFound",
        format!("The {what} does not exist. Identification fields and values: {field}='{value}'"),
    )
}

/// Fills in what Business Central fills in on create.
pub(crate) fn complete_new(
    w: &mut Writer<'_>,
    ty: &TypeModel,
    values: &mut JsonObject,
    company: Option<Uuid>,
) -> Result<(), Failure> {
    let short = ty.short_name().to_owned();
    if ty.key.len() == 1 && ty.key[0] == "id" && is_blank(values.get("id")) {
        values.insert("id", JsonValue::string(w.ids.next().to_string()));
    }
    if let Some(prefix) = bc_rules::number_series(&short)
        && ty.property("number").is_some()
        && is_blank(values.get("number"))
    {
        let number = next_number(w, ty, company, prefix);
        values.insert("number", JsonValue::string(number));
    }
    if let Some((line_property, document_property)) = bc_rules::line_numbering(&short)
        && ty.property(line_property).is_some()
        && is_blank(values.get(line_property))
    {
        let document = values.get(document_property).cloned();
        let last = w
            .store
            .rows(&ty.name)
            .filter(|row| row.company == company && row.values.get(document_property) == document.as_ref())
            .map(|row| decimal(&row.values, line_property))
            .max()
            .unwrap_or_default();
        values.insert(line_property, JsonValue::number(last + Decimal::from(10_000)));
    }
    if bc_rules::is_sales_document(&short) || short == "customerPayment" {
        fill_customer(w, ty, values, company)?;
    }
    if bc_rules::is_sales_document(&short) {
        set_if_blank(ty, values, "status", JsonValue::string("Draft"));
        let today = JsonValue::string(Utc::now().date_naive().format("%Y-%m-%d").to_string());
        for date in ["invoiceDate", "postingDate", "documentDate", "orderDate"] {
            set_if_blank(ty, values, date, today.clone());
        }
        let invoice_date = values.get("invoiceDate").cloned().unwrap_or(today);
        set_if_blank(ty, values, "dueDate", invoice_date);
    }
    if short.ends_with("Line") && ty.property("lineObjectNumber").is_some() {
        fill_item(w, ty, values, company)?;
    }
    let now = w.store.write_time();
    set_now(ty, values, &now, w.seeding);
    for property in &ty.properties {
        if !values.contains(&property.name) && property.kind != Kind::Primitive(Edm::Stream) {
            values.insert(property.name.clone(), blank(w.model, property));
        }
    }
    // Seed data keeps the amounts it gives; what it leaves out is computed.
    let given = w.seeding && !is_blank(values.get("amountExcludingTax"));
    if !given {
        line_amounts(ty, values);
    }
    Ok(())
}

/// Stamps a write; seed data keeps the timestamps it gives.
fn set_now(ty: &TypeModel, values: &mut JsonObject, now: &DateTime<FixedOffset>, keep_given: bool) {
    for name in ["lastModifiedDateTime", "systemModifiedAt", "systemCreatedAt"] {
        let given = !is_blank(values.get(name));
        let keep = given && (keep_given || name == "systemCreatedAt");
        if ty.property(name).is_some() && !keep {
            values.insert(name, Value::DateTimeOffset(*now).to_json());
        }
    }
}

/// `prefix` + one more than the highest number of that series so far.
fn next_number(w: &Writer<'_>, ty: &TypeModel, company: Option<Uuid>, prefix: &str) -> String {
    let (mut highest, mut width) = (1000u64, 4usize);
    for row in w.store.rows(&ty.name).filter(|row| row.company == company) {
        let Some(rest) = row.values.get("number").and_then(JsonValue::as_str).and_then(|n| n.strip_prefix(prefix))
        else {
            continue;
        };
        if let Ok(n) = rest.parse::<u64>() {
            highest = highest.max(n);
            width = width.max(rest.len());
        }
    }
    format!("{prefix}{:0width$}", highest + 1)
}

/// A sales document or payment names its customer by number or id; the
/// other one, the name and the bill-to fields are copied from the customer.
fn fill_customer(
    w: &Writer<'_>,
    ty: &TypeModel,
    values: &mut JsonObject,
    company: Option<Uuid>,
) -> Result<(), Failure> {
    let customer = match (text(values, "customerNumber"), values.get("customerId").and_then(JsonValue::as_str)) {
        (Some(number), _) if is_blank(values.get("customerId")) => {
            let found = find(w, "customer", company, "number", number);
            if found.is_none() && !w.seeding {
                return Err(lookup_failed("Customer", "No.", number));
            }
            found
        }
        (_, Some(id)) if !is_blank(values.get("customerId")) => {
            let found = find(w, "customer", company, "id", id);
            if found.is_none() && !w.seeding {
                return Err(lookup_failed("Customer", "Id", id));
            }
            found
        }
        _ => None,
    };
    let Some(customer) = customer.map(|row| row.values.clone()) else { return Ok(()) };
    let copy = |from: &str| customer.get(from).cloned().unwrap_or(JsonValue::Null);
    let mut fill = |to: &str, from: &str| set_if_blank(ty, values, to, copy(from));
    fill("customerId", "id");
    fill("customerNumber", "number");
    fill("customerName", "displayName");
    fill("billToCustomerId", "id");
    fill("billToCustomerNumber", "number");
    fill("billToName", "displayName");
    fill("currencyCode", "currencyCode");
    fill("phoneNumber", "phoneNumber");
    fill("email", "email");
    for prefix in ["sellTo", "billTo"] {
        for (from, to) in [
            ("addressLine1", "AddressLine1"),
            ("addressLine2", "AddressLine2"),
            ("city", "City"),
            ("country", "Country"),
            ("state", "State"),
            ("postalCode", "PostCode"),
        ] {
            fill(&format!("{prefix}{to}"), from);
        }
    }
    Ok(())
}

/// An item line names its item by number; id, description, price and unit
/// come from the item.
fn fill_item(w: &Writer<'_>, ty: &TypeModel, values: &mut JsonObject, company: Option<Uuid>) -> Result<(), Failure> {
    let Some(number) = text(values, "lineObjectNumber").map(str::to_owned) else { return Ok(()) };
    set_if_blank(ty, values, "lineType", JsonValue::string("Item"));
    if values.get("lineType").and_then(JsonValue::as_str) != Some("Item") {
        return Ok(());
    }
    let Some(item) = find(w, "item", company, "number", &number).map(|row| row.values.clone()) else {
        return if w.seeding { Ok(()) } else { Err(lookup_failed("Item", "No.", &number)) };
    };
    let copy = |from: &str| item.get(from).cloned().unwrap_or(JsonValue::Null);
    set_if_blank(ty, values, "itemId", copy("id"));
    set_if_blank(ty, values, "description", copy("displayName"));
    set_if_blank(ty, values, "unitOfMeasureCode", copy("baseUnitOfMeasureCode"));
    if !values.contains("unitPrice") {
        values.insert("unitPrice", copy("unitPrice"));
    }
    Ok(())
}

/// Line amounts: quantity × unit price less the line discount, no tax.
fn line_amounts(ty: &TypeModel, values: &mut JsonObject) {
    if ty.property("amountExcludingTax").is_none() || ty.property("quantity").is_none() {
        return;
    }
    let amount = decimal(values, "quantity") * decimal(values, "unitPrice") - decimal(values, "discountAmount");
    let zero = JsonValue::number(Decimal::ZERO);
    for (name, value) in [
        ("amountExcludingTax", JsonValue::number(amount)),
        ("netAmount", JsonValue::number(amount)),
        ("amountIncludingTax", JsonValue::number(amount)),
        ("netAmountIncludingTax", JsonValue::number(amount)),
        ("totalTaxAmount", zero.clone()),
        ("netTaxAmount", zero.clone()),
    ] {
        if ty.property(name).is_some() {
            values.insert(name, value);
        }
    }
}

/// After a write to a row: its own amounts, then its document's totals.
pub(crate) fn after_change(w: &mut Writer<'_>, type_name: &str, seq: Seq) -> Result<(), Failure> {
    if let Some(ty) = w.model.entity_type(type_name)
        && let Some(row) = w.store.row_mut(type_name, seq)
    {
        line_amounts(ty, &mut row.values);
    }
    if let Some((header_type, header_seq)) = owning_document(w, type_name, seq) {
        recompute_totals(w, &header_type, header_seq)?;
    }
    Ok(())
}

/// The document a line belongs to: the type holding a contained collection
/// of the line's type linked by `id = documentId`.
pub(crate) fn owning_document(w: &Writer<'_>, type_name: &str, seq: Seq) -> Option<(String, Seq)> {
    let row = w.store.row(type_name, seq)?;
    let document_id = row.values.get("documentId")?.as_str()?.to_owned();
    let header = w.model.types.values().find(|t| {
        t.navigations
            .iter()
            .any(|n| n.target == type_name && n.constraints == [("id".to_owned(), "documentId".to_owned())])
    })?;
    let company = row.company;
    let found = w.store.rows(&header.name).find(|h| {
        h.company == company
            && h.values.get("id").and_then(JsonValue::as_str).and_then(values::parse_guid)
                == values::parse_guid(&document_id)
    })?;
    Some((header.name.clone(), found.seq))
}

/// A document's totals are the sums of its lines; a line write changes the
/// document's ETag too.
pub(crate) fn recompute_totals(w: &mut Writer<'_>, header_type: &str, header_seq: Seq) -> Result<(), Failure> {
    let model = w.model;
    let Some(header) = model.entity_type(header_type) else { return Ok(()) };
    let Some(nav) = header.navigations.iter().find(|n| n.constraints == [("id".to_owned(), "documentId".to_owned())])
    else {
        return Ok(());
    };
    let Some(row) = w.store.row(header_type, header_seq) else { return Ok(()) };
    let id = row.values.get("id").and_then(JsonValue::as_str).and_then(values::parse_guid);
    let company = row.company;
    let lines: Vec<JsonObject> = w
        .store
        .rows(&nav.target)
        .filter(|l| {
            l.company == company
                && l.values.get("documentId").and_then(JsonValue::as_str).and_then(values::parse_guid) == id
        })
        .map(|l| l.values.clone())
        .collect();
    let sum = |name: &str| lines.iter().map(|l| decimal(l, name)).sum::<Decimal>();
    let (excluding, tax, including) = (sum("amountExcludingTax"), sum("totalTaxAmount"), sum("amountIncludingTax"));
    let now = w.store.write_time();
    let Some(row) = w.store.row_mut(header_type, header_seq) else { return Ok(()) };
    for (name, value) in
        [("totalAmountExcludingTax", excluding), ("totalTaxAmount", tax), ("totalAmountIncludingTax", including)]
    {
        if header.property(name).is_some() {
            row.values.insert(name, JsonValue::number(value));
        }
    }
    if header.property("remainingAmount").is_some()
        && row.values.get("status").and_then(JsonValue::as_str) == Some("Draft")
    {
        row.values.insert("remainingAmount", JsonValue::number(including));
    }
    set_now(header, &mut row.values, &now, false);
    w.store.touch(header_type, header_seq);
    Ok(())
}

/// What `post` and `cancel` do when no behaviour is registered: a draft
/// document becomes open, an open one canceled; anything else is refused
/// as Business Central refuses it. Other actions change nothing.
pub(crate) fn default_action(ty: &TypeModel, action: &str, values: &mut JsonObject) -> Result<(), Failure> {
    let short = ty.short_name();
    let status = values.get("status").and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    let number = values.get("number").and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    match action {
        "post" if bc_rules::is_postable_document(short) => {
            if status != "Draft" {
                return Err(Failure::bad_request_code(
                    "Application_DialogException",
                    format!("The {short} {number} cannot be posted: its status is {status}, not Draft."),
                ));
            }
            values.insert("status", JsonValue::string("Open"));
            if ty.property("remainingAmount").is_some() {
                let total = values.get("totalAmountIncludingTax").cloned().unwrap_or(JsonValue::number(0));
                values.insert("remainingAmount", total);
            }
        }
        "cancel" if short == "salesInvoice" || short == "salesCreditMemo" => {
            if status != "Open" {
                return Err(Failure::bad_request_code(
                    "Application_DialogException",
                    format!("The {short} {number} cannot be canceled: its status is {status}, not Open."),
                ));
            }
            values.insert("status", JsonValue::string("Canceled"));
        }
        _ => {}
    }
    Ok(())
}
