import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { DomainError } from '@pacs/errors';
import { PatchPeerDto, PeerDto, PeerView, UpdatePeerDto } from './dto/peer.dto';
import { PeerInput, PeersService } from './peers.service';

/** The part of a Fastify reply used to choose 200 or 201 on upsert. */
interface StatusReply {
  status(code: number): unknown;
}

/** DICOM peers (calling AEs we accept, destinations we send to). Admin only. */
@ApiTags('peers')
@Controller('api/peers')
@RequirePermission('admin')
export class PeersController {
  constructor(private readonly peers: PeersService) {}

  @Get()
  @ApiOperation({ summary: 'List DICOM peers' })
  @ApiOkResponse({ type: PeerView, isArray: true })
  list(): Promise<PeerView[]> {
    return this.peers.list();
  }

  @Post()
  @Audited('network-configuration', 'C')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a DICOM peer' })
  @ApiCreatedResponse({ type: PeerView, description: 'Peer created' })
  @ApiBadRequestResponse({ description: 'Invalid AE title, host, port or service' })
  @ApiConflictResponse({ description: 'A peer with this AE title exists' })
  create(@Body() body: PeerDto): Promise<PeerView> {
    return this.peers.create(toInput(body.aeTitle, body));
  }

  /** Upsert by the body's AE title: 201 when created, 200 when replaced. */
  @Put()
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: 'Create or replace a peer by the AE title in the body' })
  @ApiOkResponse({ type: PeerView, description: 'Existing peer replaced' })
  @ApiCreatedResponse({ type: PeerView, description: 'Peer created' })
  @ApiBadRequestResponse({ description: 'Invalid AE title, host, port or service' })
  async upsert(@Body() body: PeerDto, @Res({ passthrough: true }) reply: StatusReply): Promise<PeerView> {
    const { peer, created } = await this.peers.upsert(toInput(body.aeTitle, body));
    reply.status(created ? 201 : 200);
    return peer;
  }

  /** DELETE /api/peers?aeTitle=CT1 (same as DELETE /api/peers/CT1). */
  @Delete()
  @Audited('network-configuration', 'D')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a peer named in the query' })
  @ApiQuery({ name: 'aeTitle', required: true, example: 'CT1' })
  @ApiNoContentResponse({ description: 'Peer removed' })
  @ApiBadRequestResponse({ description: 'aeTitle query parameter missing' })
  @ApiNotFoundResponse({ description: 'No such peer' })
  async removeByQuery(@Query('aeTitle') aeTitle?: string): Promise<void> {
    if (!aeTitle) throw new DomainError('invalid-peer', 'aeTitle query parameter is required');
    await this.peers.remove(aeTitle);
  }

  @Get(':aeTitle')
  @ApiOperation({ summary: 'Get one peer' })
  @ApiOkResponse({ type: PeerView })
  @ApiNotFoundResponse({ description: 'No such peer' })
  get(@Param('aeTitle') aeTitle: string): Promise<PeerView> {
    return this.peers.get(aeTitle);
  }

  @Put(':aeTitle')
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: "Replace an existing peer's settings" })
  @ApiOkResponse({ type: PeerView, description: 'Peer replaced' })
  @ApiBadRequestResponse({ description: 'Invalid body, or its aeTitle differs from the path' })
  @ApiNotFoundResponse({ description: 'No such peer' })
  replace(@Param('aeTitle') aeTitle: string, @Body() body: UpdatePeerDto): Promise<PeerView> {
    checkSameAeTitle(aeTitle, body);
    return this.peers.replace(toInput(aeTitle, body));
  }

  /** Unlike PUT, settings left out keep their values (a PUT without checkHost turns the host check off). */
  @Patch(':aeTitle')
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: "Change some of an existing peer's settings" })
  @ApiOkResponse({ type: PeerView, description: 'Peer updated' })
  @ApiBadRequestResponse({ description: 'Invalid value, or an aeTitle that differs from the path' })
  @ApiNotFoundResponse({ description: 'No such peer' })
  update(@Param('aeTitle') aeTitle: string, @Body() body: PatchPeerDto): Promise<PeerView> {
    checkSameAeTitle(aeTitle, body);
    return this.peers.update(aeTitle, body);
  }

  @Delete(':aeTitle')
  @Audited('network-configuration', 'D')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a peer' })
  @ApiNoContentResponse({ description: 'Peer removed' })
  @ApiNotFoundResponse({ description: 'No such peer' })
  async remove(@Param('aeTitle') aeTitle: string): Promise<void> {
    await this.peers.remove(aeTitle);
  }
}

function checkSameAeTitle(aeTitle: string, body: { aeTitle?: string }): void {
  if (body.aeTitle !== undefined && body.aeTitle.trim() !== aeTitle.trim()) {
    throw new DomainError('invalid-peer', 'aeTitle in the body differs from the one in the path');
  }
}

function toInput(aeTitle: string, body: UpdatePeerDto): PeerInput {
  return {
    aeTitle,
    host: body.host,
    port: body.port,
    services: body.services,
    description: body.description ?? null,
    checkHost: body.checkHost,
    moveAssociations: body.moveAssociations,
    tls: body.tls,
    deidentify: body.deidentify,
    deidentifyOnReceive: body.deidentifyOnReceive,
  };
}
