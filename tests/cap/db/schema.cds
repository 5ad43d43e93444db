// The data model of the CAP peer: a small bookshop of the project's own.
namespace shop;

using { managed } from '@sap/cds/common';

/** What a book is about; an enumeration (filters and parameters use its names). */
type Genre : String(10) enum { Fiction; Science; History; Poetry }

entity Authors {
  key ID    : Integer;
      name  : String(100) not null;
      born  : Date;
      books : Association to many Books on books.author = $self;
}

entity Books {
  key ID        : Integer;
      title     : String(200) not null;
      genre     : Genre;
      price     : Decimal(9, 2);
      published : Date;
      stock     : Integer default 0;
      author    : Association to Authors;
      publisher : Association to Publishers;
}

/** Read-only through the service: a code list. */
entity Publishers {
  key code : String(10);
      name : String(100) not null;
      city : String(60);
}

/** An order owns its items (a composition) and is protected by an ETag. */
entity Orders : managed {
  key ID       : UUID;
      customer : String(100) not null;
      status   : String(10) default 'Open';
      items    : Composition of many OrderItems on items.order = $self;
      notes    : Composition of many OrderNotes on notes.order = $self;
}

entity OrderItems {
  key ID       : UUID;
      order    : Association to Orders;
      book     : Association to Books;
      quantity : Integer not null;
      price    : Decimal(9, 2);
}

/** A note on an order, numbered within it: its key includes the order's. */
entity OrderNotes {
  key order : Association to Orders;
  key line  : Integer;
      text  : String(200);
}
