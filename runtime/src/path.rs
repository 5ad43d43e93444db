//! Paths that mirror the service's URLs: a collection
//! (`companies(…)/salesInvoices`), one entity in it (`…/salesInvoices(…)`),
//! and a stream property (`…/pdfDocument/pdfDocumentContent`). Generated
//! code adds the navigation methods; the operations live here.

use std::marker::PhantomData;

use super::api::Api;
use super::decode;
use super::entity::{Deletable, DerivedFrom, Entity, EntityKey, EntitySet, IfMatch, Insertable, Payload, Updatable};
use super::http::{Body, Method};
use super::media::MediaDownload;
use super::operation::OperationKind;
use super::query::{GetQuery, ListQuery};
use super::request::{Decoder, Request, Target};
use super::value::ETag;

const JSON: &str = "application/json";

/// A typed path to a collection, such as a generated `CustomersPath`: what
/// generic code (incremental sync, webhooks, test doubles) takes, so that
/// it accepts the generated paths and the runtime's own alike.
pub trait CollectionHandle: Clone + From<CollectionPath<Self::Set>> {
    /// The entity set marker.
    type Set: EntitySet;
    /// The runtime's untyped path.
    fn collection_path(&self) -> &CollectionPath<Self::Set>;
}

/// A typed path to one entity, such as a generated `CustomerPath`.
pub trait EntityHandle: Clone + From<EntityPath<Self::Set>> {
    /// The entity set marker.
    type Set: EntitySet;
    /// The runtime's untyped path.
    fn entity_path(&self) -> &EntityPath<Self::Set>;
}

/// The generated path types of an entity set: what a type cast or a generic
/// helper returns for it.
pub trait SetPaths: EntitySet {
    /// The path to a collection of the set's entities.
    type Collection: CollectionHandle<Set = Self>;
    /// The path to one entity of the set.
    type Single: EntityHandle<Set = Self>;
}

impl<S: EntitySet> CollectionHandle for CollectionPath<S> {
    type Set = S;
    fn collection_path(&self) -> &CollectionPath<S> {
        self
    }
}

impl<S: EntitySet> EntityHandle for EntityPath<S> {
    type Set = S;
    fn entity_path(&self) -> &EntityPath<S> {
        self
    }
}

/// A collection of entities at a URL path.
pub struct CollectionPath<S> {
    api: Api,
    path: String,
    set: PhantomData<fn() -> S>,
}

/// One entity at a URL path.
pub struct EntityPath<S> {
    api: Api,
    path: String,
    set: PhantomData<fn() -> S>,
}

macro_rules! path_basics {
    ($name:ident) => {
        impl<S> Clone for $name<S> {
            fn clone(&self) -> Self {
                $name { api: self.api.clone(), path: self.path.clone(), set: PhantomData }
            }
        }

        impl<S> std::fmt::Debug for $name<S> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.path)
            }
        }

        impl<S> $name<S> {
            /// A path under the API root; `path` is already URL-encoded.
            pub fn new(api: Api, path: impl Into<String>) -> Self {
                $name { api, path: path.into(), set: PhantomData }
            }

            /// The API the path belongs to.
            pub fn api(&self) -> &Api {
                &self.api
            }

            /// The path relative to the API root.
            pub fn path(&self) -> &str {
                &self.path
            }

            /// The absolute URL.
            pub fn url(&self) -> String {
                self.api.url(&self.path, "")
            }

            fn child(&self, segment: &str) -> String {
                let mut path = String::with_capacity(self.path.len() + segment.len() + 1);
                path.push_str(&self.path);
                path.push('/');
                path.push_str(segment);
                path
            }

            /// A collection-valued navigation below this path.
            pub fn collection<T>(&self, segment: &str) -> CollectionPath<T> {
                CollectionPath::new(self.api.clone(), self.child(segment))
            }

            /// A single-valued navigation below this path.
            pub fn single<T>(&self, segment: &str) -> EntityPath<T> {
                EntityPath::new(self.api.clone(), self.child(segment))
            }

            /// `POST path/{qualified action name}` with an optional JSON body.
            pub fn action<T>(&self, qualified_name: &str, body: Option<String>, decode: Decoder<T>) -> Request<T> {
                let target = Target::Relative { path: self.child(qualified_name), query: String::new() };
                let request = Request::new(self.api.clone(), Method::Post, target, OperationKind::Action, decode);
                match body {
                    Some(body) => request.with_body(JSON, body),
                    None => request,
                }
            }

            /// `GET path/{qualified function name}({parameters})`.
            pub fn function<T>(&self, qualified_name: &str, parameters: &str, decode: Decoder<T>) -> Request<T> {
                self.function_with_aliases(qualified_name, parameters, "", decode)
            }

            /// `GET path/{qualified function name}({parameters})?{aliases}`:
            /// parameters that a URL literal cannot hold (complex, collection)
            /// are written `p=@p` and given as `@p=<JSON>` in `aliases`, which
            /// is already encoded.
            pub fn function_with_aliases<T>(
                &self,
                qualified_name: &str,
                parameters: &str,
                aliases: &str,
                decode: Decoder<T>,
            ) -> Request<T> {
                let segment = format!("{qualified_name}({parameters})");
                let target = Target::Relative { path: self.child(&segment), query: aliases.to_owned() };
                Request::new(self.api.clone(), Method::Get, target, OperationKind::Read, decode)
            }
        }
    };
}

path_basics!(CollectionPath);
path_basics!(EntityPath);

impl<S: EntitySet> CollectionPath<S> {
    /// Only the entities of the derived type `T`: `path/Namespace.Type`.
    pub fn cast<T: EntitySet>(&self) -> CollectionPath<T>
    where
        T::Entity: DerivedFrom<S::Entity>,
    {
        CollectionPath::new(self.api.clone(), self.child(<T::Entity as Entity>::TYPE_NAME))
    }

    /// The entity with this key: `path(key)`.
    #[doc(hidden)]
    pub fn key_path(&self, key: &S::Key) -> EntityPath<S> {
        let mut path = String::with_capacity(self.path.len() + 40);
        path.push_str(&self.path);
        path.push('(');
        key.write_key(&mut path);
        path.push(')');
        EntityPath::new(self.api.clone(), path)
    }

    /// The entity with this alternate key, written as `name=value,...`.
    #[doc(hidden)]
    pub fn alternate_key_path(&self, predicate: &str) -> EntityPath<S> {
        EntityPath::new(self.api.clone(), format!("{}({predicate})", self.path))
    }

    /// Reads the collection; add options on the returned query.
    pub fn list(&self) -> ListQuery<S> {
        ListQuery::new(self.api.clone(), self.path.clone())
    }

    /// Creates an entity (`POST`); the service answers with the new entity.
    /// Related entities set in the payload are created with it in one
    /// request (deep insert).
    ///
    /// A service that answers `204 No Content` instead gets the entity read
    /// back from the `Location` it gave; if it gave none, or reading back
    /// fails, the result is [`Error::CreatedUnread`](super::error::Error::CreatedUnread):
    /// the entity exists, do not create it again.
    pub fn create(&self, entity: S::Create) -> Request<S::Entity>
    where
        S: Insertable,
    {
        let target = Target::Relative { path: self.path.clone(), query: String::new() };
        let mut request =
            Request::new(self.api.clone(), Method::Post, target, OperationKind::Create, decode::json::<S::Entity>)
                .with_body(JSON, entity.to_json())
                .header("Prefer", "return=representation");
        request.refetch_on_no_content = true;
        request
    }

    /// The number of entities (`…/$count`).
    pub fn count(&self) -> Request<u64> {
        self.list().count_request()
    }
}

impl<S: EntitySet> EntityPath<S> {
    /// This entity as the derived type `T`: `path/Namespace.Type` (the
    /// service answers 404 when it is not one).
    pub fn cast<T: EntitySet>(&self) -> EntityPath<T>
    where
        T::Entity: DerivedFrom<S::Entity>,
    {
        EntityPath::new(self.api.clone(), self.child(<T::Entity as Entity>::TYPE_NAME))
    }

    /// Reads the entity; add `select`/`expand` on the returned query.
    pub fn get(&self) -> GetQuery<S> {
        GetQuery::new(self.api.clone(), self.path.clone())
    }

    fn target(&self) -> Target {
        Target::Relative { path: self.path.clone(), query: String::new() }
    }

    fn patch(&self, if_match: Result<String, String>, changes: S::Update) -> Request<S::Entity>
    where
        S: Updatable,
    {
        let mut request = Request::new(
            self.api.clone(),
            Method::Patch,
            self.target(),
            OperationKind::Update,
            decode::json::<S::Entity>,
        )
        .with_body(JSON, changes.to_json())
        .header("Prefer", "return=representation");
        request.refetch_on_no_content = true;
        guarded(request, if_match)
    }

    /// Changes the entity (`PATCH` with `If-Match: <current ETag>`). If
    /// someone changed it since `current` was read, the service refuses and
    /// the result is [`Error::StaleEtag`](super::error::Error::StaleEtag).
    pub fn update(&self, current: &impl IfMatch, changes: S::Update) -> Request<S::Entity>
    where
        S: Updatable,
    {
        self.patch(required_etag(Method::Patch, &self.path, current.if_match()), changes)
    }

    /// `POST path/{qualified action name}` with `If-Match`: an action on an
    /// entity whose set guards changes with ETags
    /// (`Core.OptimisticConcurrency`). `etag` is the one of the version the
    /// caller read; without one the request is refused before it is sent.
    pub fn action_if_match<T>(
        &self,
        etag: Option<&ETag>,
        qualified_name: &str,
        body: Option<String>,
        decode: Decoder<T>,
    ) -> Request<T> {
        let request = self.action(qualified_name, body, decode);
        guarded(request, required_etag(Method::Post, &self.path, etag))
    }

    /// Changes the entity whatever its current version (`If-Match: *`).
    /// This can overwrite someone else's change; prefer [`update`](Self::update).
    pub fn update_unconditionally(&self, changes: S::Update) -> Request<S::Entity>
    where
        S: Updatable,
    {
        self.patch(Ok("*".to_owned()), changes)
    }

    fn remove(&self, if_match: Result<String, String>) -> Request<()>
    where
        S: Deletable,
    {
        let request =
            Request::new(self.api.clone(), Method::Delete, self.target(), OperationKind::Delete, decode::no_content);
        guarded(request, if_match)
    }

    /// Deletes the entity (`DELETE` with `If-Match: <current ETag>`).
    pub fn delete(&self, current: &impl IfMatch) -> Request<()>
    where
        S: Deletable,
    {
        self.remove(required_etag(Method::Delete, &self.path, current.if_match()))
    }

    /// Deletes the entity whatever its current version (`If-Match: *`).
    pub fn delete_unconditionally(&self) -> Request<()>
    where
        S: Deletable,
    {
        self.remove(Ok("*".to_owned()))
    }

    /// A stream (media) property of this entity, or `$value` for a media entity.
    #[doc(hidden)]
    pub fn media(&self, property: &str) -> MediaPath {
        MediaPath { api: self.api.clone(), path: self.child(property) }
    }
}

/// The content of a stream property (`Edm.Stream`), such as a sales
/// invoice's PDF or an item's picture.
#[derive(Debug, Clone)]
pub struct MediaPath {
    api: Api,
    path: String,
}

impl MediaPath {
    /// The stream property at `path` under the API root (already
    /// URL-encoded): `items(…)/picture/pictureContent`.
    pub fn new(api: Api, path: impl Into<String>) -> Self {
        MediaPath { api, path: path.into() }
    }

    /// The absolute URL of the content.
    pub fn url(&self) -> String {
        self.api.url(&self.path, "")
    }

    /// Downloads the content as it arrives (see [`MediaDownload`]): nothing
    /// is held in memory beyond the chunk being handed over, unless the
    /// caller collects it with [`MediaDownload::bytes`].
    pub fn download(&self) -> Request<MediaDownload> {
        let target = Target::Relative { path: self.path.clone(), query: String::new() };
        Request::streamed(self.api.clone(), Method::Get, target, OperationKind::Read, MediaDownload::from_response)
            .header("Accept", "*/*")
    }

    /// Replaces the content (`If-Match` with the owning entity's ETag).
    /// OData servers take `PUT`, some services `PATCH`: the service profile
    /// decides.
    ///
    /// `content` is bytes in memory (`Vec<u8>`, `bytes::Bytes`), or a
    /// [`Body::sized_stream`] read from a file as it is sent, so that large
    /// files are never held in memory. A streamed upload is sent once: it
    /// is not retried after a transient failure.
    pub fn upload(&self, current: &impl IfMatch, content_type: &str, content: impl Into<Body>) -> Request<()> {
        let method = self.api.profile().media_upload_method;
        let target = Target::Relative { path: self.path.clone(), query: String::new() };
        let request = Request::new(self.api.clone(), method, target, OperationKind::Update, decode::no_content)
            .with_body(content_type, content);
        guarded(request, required_etag(method, &self.path, current.if_match()))
    }
}

/// The `If-Match` value for a write that must not overwrite a newer
/// version, or why the write is refused before anything is sent.
fn required_etag(method: Method, path: &str, etag: Option<&ETag>) -> Result<String, String> {
    etag.map(|e| e.as_str().to_owned()).ok_or_else(|| {
        format!(
            "{} {path} needs the entity's ETag for If-Match, but none is known (was it read with odata.metadata=none?); \
             use the `_unconditionally` variant to overwrite regardless",
            method.as_str()
        )
    })
}

/// Puts the `If-Match` header on a write, or marks it refused.
fn guarded<T>(request: Request<T>, if_match: Result<String, String>) -> Request<T> {
    match if_match {
        Ok(value) => request.header("If-Match", value),
        Err(reason) => request.rejected(reason),
    }
}
