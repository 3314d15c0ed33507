/** One conversation through every face: each sees the others' writes, in its own rendering. */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
});
afterAll(() => t.close());

describe('one conversation, every face', () => {
  it('created through Florent, renamed through orq, read through RAG, renamed through Dify, seen through tRPC', async () => {
    const created = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'From Florent' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.conversation._id;
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);

    const orq = await call(t.url, 'PATCH', `/v2/conversations/${renderId(id, 'orq')}`, {
      key,
      body: { displayName: 'Renamed by orq' },
    });
    expect(orq.status).toBe(200);
    expect(orq.body).toMatchObject({
      kind: 'conversation',
      _id: `conv_${id.toLowerCase()}`,
      displayName: 'Renamed by orq',
    });

    const rag = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(rag.status).toBe(200);
    expect(rag.body).toMatchObject({ id, title: 'Renamed by orq', messages: [] });

    const dify = await call(t.url, 'POST', `/v1/conversations/${renderId(id, 'uuid')}/name`, {
      key,
      body: { name: 'Renamed by Dify', user: 'alice' },
    });
    expect(dify.status).toBe(200);
    expect(dify.body).toMatchObject({
      id: renderId(id, 'uuid'),
      name: 'Renamed by Dify',
      status: 'normal',
    });

    const seen = await trpc(t.url, 'query', 'conversation.get', { id }, key);
    // Version 1 at creation, +1 for each of the two renames.
    expect(seen.body.result.data).toMatchObject({ id, title: 'Renamed by Dify', version: 3 });

    // And each face renders the same instant in its own unit.
    const updatedAt = Date.parse(seen.body.result.data.updatedAt);
    expect(dify.body.updated_at).toBe(Math.floor(updatedAt / 1000));
    const orqRead = await call(t.url, 'GET', `/v2/conversations/${renderId(id, 'orq')}`, { key });
    expect(orqRead.body.updatedAt).toBe(updatedAt);
  });

  it('messages appended through tRPC show in the RAG conversation and Florent counters', async () => {
    const created = await call(t.url, 'POST', '/api/florent/conversations', { key, body: {} });
    const id: string = created.body.conversation._id;
    expect(created.body.conversation).toMatchObject({
      title: 'New conversation',
      messageCount: 0,
      lastMessageAt: null,
    });
    await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'user', content: 'Hi' },
      key,
    );
    const answer = await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'assistant', content: 'Hello!' },
      key,
    );
    const rag = await call(t.url, 'PATCH', `/api/conversations/${id}`, {
      key,
      body: { title: 'Greetings' },
    });
    expect(rag.body.messages).toEqual([
      expect.objectContaining({ role: 'user', content: 'Hi' }),
      expect.objectContaining({
        role: 'assistant',
        content: 'Hello!',
        timestamp: answer.body.result.data.createdAt,
      }),
    ]);
    const florent = await call(t.url, 'PATCH', `/api/florent/conversations/${id}`, {
      key,
      body: { title: 'Again' },
    });
    expect(florent.body.conversation).toMatchObject({
      messageCount: 2,
      lastMessageAt: answer.body.result.data.createdAt,
    });
  });

  it('a user message names an untitled conversation by itself, seen on every face', async () => {
    const untitled = await call(t.url, 'POST', '/api/florent/conversations', { key, body: {} });
    const id: string = untitled.body.conversation._id;
    expect(untitled.body.conversation.title).toBe('New conversation');
    await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'user', content: 'Where do puffins nest?' },
      key,
    );
    // Named in the background: wait for it (the bound only stops a hung test).
    await vi.waitFor(
      async () => {
        const rag = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
        expect(rag.body.title).toBe('Where do puffins nest?');
      },
      { timeout: 30_000, interval: 50 },
    );
    const orq = await call(t.url, 'GET', `/v2/conversations/${renderId(id, 'orq')}`, { key });
    expect(orq.body.displayName).toBe('Where do puffins nest?');
    const dify = await call(t.url, 'GET', '/v1/conversations?user=alice&limit=100', { key });
    expect(dify.body.data).toContainEqual(
      expect.objectContaining({ id: renderId(id, 'uuid'), name: 'Where do puffins nest?' }),
    );
  });
});

describe('ids made before Parley made UUIDv7 ids', () => {
  it('a conversation with plain ULID bits is reached through every face, in each rendering', async () => {
    // Stored as an earlier version stored it: an id and message id from a ULID generator, whose
    // UUID rendering has no RFC 9562 version or variant.
    const id = '01J9Z3Q4X8M2V7K5T6R1N0P3QB';
    const owner = await t.database.db.user.findFirstOrThrow({
      where: { name: 'alice', org: { slug: 'acme' } },
    });
    const at = new Date('2024-10-09T10:00:00.000Z');
    await t.database.db.conversation.create({
      data: {
        id,
        orgId: owner.orgId,
        userId: owner.id,
        title: 'From before',
        model: 'default',
        createdAt: at,
        updatedAt: at,
        createdById: owner.id,
        updatedById: owner.id,
        messageCount: 1,
        lastMessageAt: at,
        messages: {
          create: {
            id: '01J9Z3Q4X8M2V7K5T6R1N0P3QC',
            role: 'user',
            content: 'Old hello',
            createdAt: at,
          },
        },
      },
    });
    const uuid = renderId(id, 'uuid');
    expect(uuid).toBe('01927e3b-93a8-a0b6-7997-46c06a0b0eeb'); // version "a", not 7

    const florent = await call(t.url, 'PATCH', `/api/florent/conversations/${id}`, {
      key,
      body: { title: 'Florent' },
    });
    expect(florent).toMatchObject({ status: 200, body: { conversation: { _id: id } } });
    const orq = await call(t.url, 'GET', `/v2/conversations/${renderId(id, 'orq')}`, { key });
    expect(orq).toMatchObject({ status: 200, body: { _id: renderId(id, 'orq') } });
    const orqList = await call(t.url, 'GET', '/v2/conversations?limit=100', { key });
    expect(orqList.body.data.map((c: any) => c._id)).toContain(renderId(id, 'orq'));
    const rag = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(rag).toMatchObject({
      status: 200,
      body: { id, messages: [{ role: 'user', content: 'Old hello' }] },
    });
    const dify = await call(t.url, 'POST', `/v1/conversations/${uuid}/name`, {
      key,
      body: { name: 'Dify', user: 'alice' },
    });
    expect(dify).toMatchObject({ status: 200, body: { id: uuid, name: 'Dify' } });
    const difyList = await call(t.url, 'GET', '/v1/conversations?user=alice&limit=100', { key });
    expect(difyList.body.data.map((c: any) => c.id)).toContain(uuid);
    const seen = await trpc(t.url, 'query', 'conversation.get', { id: uuid }, key);
    expect(seen.body.result.data).toMatchObject({ id, title: 'Dify', version: 3 });
    const deleted = await call(t.url, 'DELETE', `/v2/conversations/${renderId(id, 'orq')}`, {
      key,
    });
    expect(deleted.status).toBe(204);
  });
});
