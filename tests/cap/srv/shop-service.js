// The service's operations; everything else (queries, paging, ETags,
// deep insert, $batch) is CAP's generic handling.
const cds = require('@sap/cds')

module.exports = class ShopService extends cds.ApplicationService {
  init() {
    const { Books, Orders, OrderItems } = this.entities

    this.on('priceWithTax', Books, async (req) => {
      const book = await SELECT.one.from(req.subject).columns('price')
      if (!book) return req.reject(404, 'no such book')
      // In cents, so that 12.50 with 19 % is 14.88 and not 14.874999…
      const cents = Math.round((Number(book.price) * (100 + Number(req.data.rate ?? 0))))
      return cents / 100
    })

    this.on('submit', Orders, async (req) => {
      const order = await SELECT.one.from(req.subject).columns('status')
      if (!order) return req.reject(404, 'no such order')
      if (order.status !== 'Open') return req.reject(409, `the order is ${order.status}, not Open`)
      await UPDATE(req.subject).with({ status: 'Submitted' })
      return SELECT.one.from(req.subject)
    })

    this.on('itemCount', Orders, async (req) => {
      const [{ ID }] = req.params
      const { count } = await SELECT.one.from(OrderItems).columns('count(1) as count').where({ order_ID: ID })
      return count
    })

    this.on('restock', async (req) => {
      const { book, quantity } = req.data
      if (!(quantity > 0)) return req.reject(400, 'quantity must be positive')
      const changed = await UPDATE(Books, book).with({ stock: { '+=': quantity } })
      if (!changed) return req.reject(404, `no book ${book}`)
      return SELECT.one.from(Books, book)
    })

    this.on('stockOfGenre', async (req) => {
      const { total } = await SELECT.one.from(Books).columns('sum(stock) as total').where({ genre: req.data.genre })
      return total ?? 0
    })

    return super.init()
  }
}
