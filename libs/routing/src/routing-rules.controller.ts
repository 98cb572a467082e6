import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { RoutingRuleDto, RoutingRuleSettingsDto, RoutingRuleView } from './dto/routing-rule.dto';
import { RoutingRule } from './routing-rule';
import { RoutingRulesService } from './routing-rules.service';

/** Forwarding rules: which stored instances go to which peers. Admin only. */
@ApiTags('routing')
@Controller('api/routing-rules')
@RequirePermission('admin')
export class RoutingRulesController {
  constructor(private readonly rules: RoutingRulesService) {}

  @Get()
  @ApiOperation({ summary: 'List forwarding rules' })
  @ApiOkResponse({ type: RoutingRuleView, isArray: true })
  list(): Promise<RoutingRuleView[]> {
    return this.rules.list();
  }

  @Post()
  @HttpCode(201)
  @Audited('network-configuration', 'C')
  @ApiOperation({ summary: 'Create a forwarding rule' })
  @ApiCreatedResponse({ type: RoutingRuleView })
  @ApiBadRequestResponse({ description: 'Invalid rule, or a destination that is no peer with a host, a port and the store service' })
  @ApiConflictResponse({ description: 'A rule of that name exists' })
  create(@Body() body: RoutingRuleDto): Promise<RoutingRuleView> {
    return this.rules.create(toRule(body.name, body));
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get one forwarding rule' })
  @ApiOkResponse({ type: RoutingRuleView })
  @ApiNotFoundResponse({ description: 'No such rule' })
  get(@Param('name') name: string): Promise<RoutingRuleView> {
    return this.rules.get(name);
  }

  @Put(':name')
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: 'Replace a forwarding rule (instances already queued keep their destinations)' })
  @ApiOkResponse({ type: RoutingRuleView })
  @ApiBadRequestResponse({ description: 'Invalid rule, or a destination that is no peer with a host, a port and the store service' })
  @ApiNotFoundResponse({ description: 'No such rule' })
  replace(@Param('name') name: string, @Body() body: RoutingRuleSettingsDto): Promise<RoutingRuleView> {
    return this.rules.replace(toRule(name, body));
  }

  @Delete(':name')
  @HttpCode(204)
  @Audited('network-configuration', 'D')
  @ApiOperation({ summary: 'Delete a forwarding rule (instances already queued are still sent)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such rule' })
  async remove(@Param('name') name: string): Promise<void> {
    await this.rules.remove(name);
  }
}

function toRule(name: string, body: RoutingRuleSettingsDto): RoutingRule {
  const when = Object.fromEntries(Object.entries(body.when ?? {}).filter(([, v]) => v !== undefined));
  return { name, when, forwardTo: body.forwardTo.map((ae) => ae.trim()), delaySeconds: body.delaySeconds ?? 0 };
}
