// The OData service the end-to-end tests talk to, at /odata/v4/shop.
using shop from '../db/schema';

@path: '/odata/v4/shop'
service ShopService {
  entity Authors    as projection on shop.Authors;

  // Server-driven paging: three rows a page, also for `Authors(…)/books`
  // (CAP 9 ignores `Prefer: odata.maxpagesize`); a `$top` gets up to 100
  // rows at once.
  @cds.query.limit: { default: 3, max: 100 }
  entity Books      as projection on shop.Books actions {
    /** The price with a tax rate (percent) added, rounded to cents. */
    function priceWithTax(rate : Decimal(5, 2)) returns Decimal(9, 2);
  };

  @readonly
  entity Publishers as projection on shop.Publishers;

  entity Orders     as projection on shop.Orders actions {
    /** Open → Submitted; refused for an order that is not open. */
    action   submit() returns Orders;
    /** How many items the order has. */
    function itemCount() returns Integer;
  };

  entity OrderItems as projection on shop.OrderItems;
  entity OrderNotes as projection on shop.OrderNotes;

  /** Adds to a book's stock and returns the book. */
  action   restock(book : Integer, quantity : Integer) returns Books;
  /** How many books of a genre the shop has in stock. */
  function stockOfGenre(genre : shop.Genre) returns Integer;
}

// The ETag: the managed timestamp, changed by every write.
annotate ShopService.Orders with {
  modifiedAt @odata.etag;
}
